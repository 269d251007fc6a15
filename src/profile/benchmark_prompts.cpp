// The prompt texts. Raw string literals keep the prose exactly as the model sees it; paragraphs are
// single lines because a line break inside a sentence would become a newline token.
#include "profile/benchmark_prompts.h"

namespace akunu {
namespace {

// A one-line instruction: the "1-10 tokens" case, where prefill is a handful of GEMV-like rows.
constexpr std::string_view kShort = R"PROMPT(Explain in one sentence why the sky looks blue.)PROMPT";

// A paragraph of context and a task: about 200 tokens, where prefill GEMMs start to fill the device.
constexpr std::string_view kMedium = R"PROMPT(A small town library wants to start a series of evening workshops this autumn. It has one meeting room that seats thirty people, a projector that works most of the time, and four hundred dollars to spend on the whole season. Volunteers have offered to teach basic bicycle repair, bread baking without a stand mixer, an introduction to watching garden birds, and a session on reading old family letters written in cursive. The head librarian worries that the workshops will clash with school concerts, and that older residents may not want to drive home after dark once winter arrives. Write a short plan that puts the four workshops in a sensible order across September, October and November, explains how the budget should be divided between them, and suggests two simple ways to tell whether the series was worth repeating next year. Mention anything the librarian should prepare in advance, and keep the tone friendly and practical.)PROMPT";

// A document and questions on it: about 1,500 tokens, long enough for prefill to plateau.
constexpr std::string_view kLong = R"PROMPT(Read the report below and then answer the questions that follow it.

Report on the Harrow Point Ferry Service, prepared for the island council

Background. The ferry between Harrow Point on the mainland and the village of Selby on the island has run in one form or another for more than ninety years. The present vessel, a shallow-draft car ferry with room for eighteen cars and one hundred and forty passengers, entered service twenty-two years ago and was expected to last twenty-five. It crosses a channel a little under four kilometres wide, and in calm weather the trip takes twenty-six minutes from ramp to ramp. The timetable offers eleven return crossings on weekdays and eight at weekends, with the first boat leaving the island at six in the morning so that workers and school pupils can reach the mainland before eight.

Passenger numbers. Over the past five years the service has carried an average of two hundred and ten thousand passengers a year. The numbers are not spread evenly. Summer visitors make up almost half of the annual total, and on a fine Saturday in August the ferry can turn away as many as sixty cars. In contrast, a wet Tuesday in February may see fewer than forty passengers across the whole day. Residents of the island, of whom there are about nine hundred, account for roughly a third of all trips. Many of them cross several times a week for work, shopping, medical appointments and secondary school, which the island does not have.

Reliability. The ferry was cancelled on thirty-one days last year, compared with an average of nineteen days over the previous decade. Twelve of those cancellations were caused by high winds, which is close to the usual figure. The remaining nineteen were caused by mechanical faults, most of them in the hydraulic system that raises and lowers the vehicle ramp. On four occasions the boat was withdrawn for more than a week while parts were sourced from a supplier overseas. During those periods a small passenger launch was chartered, but it could carry neither cars nor freight, and the island shop ran short of fresh food twice. The doctor's surgery on the island reported that several patients missed hospital appointments on the mainland because they could not rely on returning the same day.

Costs. Fuel is the largest single running cost, followed by crew wages and then maintenance. Fuel prices have risen sharply over the last three years, and the ageing engines burn noticeably more than they did when new. Maintenance spending has nearly doubled over the same period, and the marine engineer who inspects the vessel each spring has warned that the hull plating near the bow will need substantial repair within three years. Fare income covers a little over half of the operating cost. The remainder is met by a grant from the regional transport authority, which has said that it cannot increase its contribution beyond the rate of inflation.

Options considered. The working group looked at four possible courses of action. The first is to keep the present vessel running for as long as possible, carrying out repairs as they become necessary. This has the lowest cost in the short term, but the engineer's report suggests that breakdowns will become more frequent, and a major failure of the hull or engines could leave the island without a car ferry for months. The second option is to buy a second-hand vessel from another operator. Two suitable boats are currently for sale, one of them twelve years old and the other fifteen. Either would need modifications to fit the existing ramps at Harrow Point and Selby, and neither is much more fuel efficient than the present ferry. The third option is to order a new vessel built to the route's exact needs. A new ferry could use a hybrid system that runs on batteries for most of the crossing and charges while tied up at the mainland ramp, which would greatly reduce fuel costs. However, the price is about four times that of the best second-hand option, the shipyards that build such vessels have waiting lists of two to three years, and the mainland harbour would need a new electricity connection. The fourth option is to replace the car ferry with a faster passenger-only boat and a separate freight barge that crosses three times a week. This would lower costs and shorten the passenger crossing to about twelve minutes, but residents would no longer be able to take their own cars to the mainland.

Consultation. The working group held three public meetings on the island and one in Harrow Point, and received just over three hundred written responses. Residents were strongly opposed to losing the car service, with many pointing out that elderly and disabled people depend on being able to drive directly to the hospital. Business owners on the island, particularly those running guest houses and the campsite, stressed the importance of summer capacity and asked whether a larger vessel could be considered. Several respondents suggested that the timetable should be reviewed, since the last boat from the mainland leaves at seven in the evening, which makes it impossible to attend evening events or classes in town. A smaller number of people raised environmental concerns and supported the hybrid option even if it meant higher fares. Mainland residents were mostly concerned about traffic queues on the narrow road leading down to the Harrow Point ramp during the summer months.

Finance. The council could borrow to fund a new or second-hand vessel, and the regional authority has indicated that it would consider a one-off capital contribution towards a low-emission ferry, though it has given no figure and no timetable. A national fund for green transport projects is open for applications until the end of next year, and officers believe that the hybrid option would score well against its criteria. Any borrowing would have to be repaid from fares and the annual grant, and the council's finance officer has advised that fares would need to rise by between eight and fifteen percent depending on the option chosen. Residents currently receive a discount of forty percent on standard fares, and the working group recommends that this discount be protected whatever option is chosen.

Questions. First, summarise in a few sentences the main problems the ferry service faces today. Second, compare the four options, setting out for each one the main benefits, the main risks, and the groups of people who would gain or lose the most. Third, recommend one option, or a combination of options over time, and explain why you prefer it, taking into account reliability, cost, the views gathered in the consultation, and the possibility of outside funding. Finally, suggest three practical steps the council could take during the next twelve months, whichever option it chooses, to reduce the disruption caused by breakdowns and to make the service easier to use for island residents.)PROMPT";

}  // namespace

const std::vector<BenchmarkPrompt>& benchmark_prompts() {
    static const std::vector<BenchmarkPrompt> prompts = {
        {"short", kShort},
        {"medium", kMedium},
        {"long", kLong},
    };
    return prompts;
}

}  // namespace akunu

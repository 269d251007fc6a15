// llama-bench value lists: single values, comma lists, "+step" and "*factor" ranges, and every
// malformed list rejected with InvalidArgument and a message that names the text.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/error.h"
#include "profile/param_list.h"

using akunu::Error;
using akunu::ErrorKind;
using akunu::parse_int_list;
using akunu::parse_int_pair;
using V = std::vector<int64_t>;
using Pair = std::pair<int64_t, int64_t>;

namespace {

// Checks that parsing `text` throws InvalidArgument whose message quotes `text` (and, when given,
// contains `why`).
void expect_list_error(const std::string& text, const std::string& why = "") {
    SCOPED_TRACE("list '" + text + "'");
    try {
        const V v = parse_int_list(text);
        ADD_FAILURE() << "accepted, " << v.size() << " values";
    } catch (const Error& e) {
        EXPECT_EQ(e.kind(), ErrorKind::InvalidArgument) << e.what();
        const std::string msg = e.what();
        EXPECT_NE(msg.find("'" + text + "'"), std::string::npos) << "message does not name the text: " << msg;
        if (!why.empty()) {
            EXPECT_NE(msg.find(why), std::string::npos) << msg;
        }
    } catch (const std::exception& e) {
        ADD_FAILURE() << "threw something other than akunu::Error: " << e.what();
    }
}

void expect_pair_error(const std::string& text) {
    SCOPED_TRACE("pair '" + text + "'");
    try {
        const auto p = parse_int_pair(text);
        ADD_FAILURE() << "accepted as " << p.first << "," << p.second;
    } catch (const Error& e) {
        EXPECT_EQ(e.kind(), ErrorKind::InvalidArgument) << e.what();
        EXPECT_NE(std::string(e.what()).find("'" + text + "'"), std::string::npos) << e.what();
    } catch (const std::exception& e) {
        ADD_FAILURE() << "threw something other than akunu::Error: " << e.what();
    }
}

}  // namespace

TEST(ParamList, SingleValue) {
    EXPECT_EQ(parse_int_list("512"), V({512}));
    EXPECT_EQ(parse_int_list("1"), V({1}));
}

TEST(ParamList, ZeroIsAValue) { EXPECT_EQ(parse_int_list("0"), V({0})); }

TEST(ParamList, CommaListKeepsOrderAndDuplicates) {
    EXPECT_EQ(parse_int_list("128,256"), V({128, 256}));
    EXPECT_EQ(parse_int_list("512,128,256"), V({512, 128, 256}));
    EXPECT_EQ(parse_int_list("4,4"), V({4, 4}));
}

TEST(ParamList, AdditiveRange) {
    EXPECT_EQ(parse_int_list("128-512+128"), V({128, 256, 384, 512}));
    // A step that does not land on the end stops below it.
    EXPECT_EQ(parse_int_list("1-10+4"), V({1, 5, 9}));
    // No step: +1.
    EXPECT_EQ(parse_int_list("3-6"), V({3, 4, 5, 6}));
    // A one-value range.
    EXPECT_EQ(parse_int_list("7-7+3"), V({7}));
    EXPECT_EQ(parse_int_list("0-2"), V({0, 1, 2}));
}

TEST(ParamList, MultiplicativeRange) {
    EXPECT_EQ(parse_int_list("1-16*2"), V({1, 2, 4, 8, 16}));
    EXPECT_EQ(parse_int_list("1-20*3"), V({1, 3, 9}));
    EXPECT_EQ(parse_int_list("128-4096*2"), V({128, 256, 512, 1024, 2048, 4096}));
}

TEST(ParamList, MixedValuesAndRanges) {
    EXPECT_EQ(parse_int_list("1,4-8+2"), V({1, 4, 6, 8}));
    EXPECT_EQ(parse_int_list("4-8+2,1,1-4*2"), V({4, 6, 8, 1, 1, 2, 4}));
}

TEST(ParamList, TenThousandValuesAreTheLimit) {
    const V v = parse_int_list("1-10000");
    ASSERT_EQ(v.size(), 10000u);
    EXPECT_EQ(v.front(), 1);
    EXPECT_EQ(v.back(), 10000);
}

TEST(ParamList, LargestAcceptedNumber) {
    EXPECT_EQ(parse_int_list("999999999999"), V({999999999999LL}));
}

TEST(ParamList, Empty) { expect_list_error("", "empty"); }

TEST(ParamList, NotANumber) {
    expect_list_error("a");
    expect_list_error("12a");
    expect_list_error("1,b");
    expect_list_error(" 5");
    expect_list_error("5 ");
    expect_list_error("1.5");
    expect_list_error("0x10");
    expect_list_error("1-8x2");
}

TEST(ParamList, DescendingRange) { expect_list_error("5-3", "backwards"); }

TEST(ParamList, ZeroStep) { expect_list_error("1-8+0", "step"); }

TEST(ParamList, FactorBelowTwo) {
    expect_list_error("1-8*1", "factor");
    expect_list_error("1-8*0", "factor");
}

TEST(ParamList, MultipliedRangeFromZero) { expect_list_error("0-8*2"); }

TEST(ParamList, TrailingComma) {
    expect_list_error("1,", "trailing comma");
    expect_list_error("1,2,");
}

TEST(ParamList, EmptyItems) {
    expect_list_error(",1");
    expect_list_error("1,,2");
    expect_list_error(",");
}

TEST(ParamList, Negative) {
    expect_list_error("-5");
    expect_list_error("1,-5");
    expect_list_error("-5-3");
    expect_list_error("1--5");
}

TEST(ParamList, IncompleteRanges) {
    expect_list_error("1-");
    expect_list_error("1-8+");
    expect_list_error("1-8*");
    expect_list_error("-");
    expect_list_error("1-8+2+2");
}

TEST(ParamList, MoreThanTenThousandValues) {
    expect_list_error("1-10001", "10000");
    expect_list_error("0-100000000000", "10000");
    // Spread over many items.
    std::string many;
    for (int i = 0; i < 10001; ++i) many += (i ? "," : "") + std::to_string(i % 7);
    try {
        parse_int_list(many);
        ADD_FAILURE() << "10001 comma-separated values accepted";
    } catch (const Error& e) {
        EXPECT_EQ(e.kind(), ErrorKind::InvalidArgument);
        EXPECT_NE(std::string(e.what()).find("10000"), std::string::npos) << e.what();
    }
    // Two ranges that together pass the limit.
    expect_list_error("1-6000,1-6000", "10000");
}

TEST(ParamList, HugeNumbers) {
    expect_list_error("9999999999999", "too large");
    expect_list_error("99999999999999999999999999");
    expect_list_error("1-99999999999999999999");
}

// A multiplied range whose next value would pass int64: must stop, not wrap around.
TEST(ParamList, MultiplicationDoesNotOverflow) {
    try {
        const V v = parse_int_list("1-999999999999*999999999999");
        EXPECT_EQ(v, V({1, 999999999999LL}));
    } catch (const Error& e) {
        // Rejecting it is also fine, as long as it is a clean InvalidArgument.
        EXPECT_EQ(e.kind(), ErrorKind::InvalidArgument) << e.what();
    }
    // Factors whose powers wrap int64 to zero (2^32 squared) or to a negative number (about
    // sqrt(2^63) squared): the list must still hold only 1, the factor, and nothing else.
    for (const std::string f : {"4294967296", "3037000500", "999999999999"}) {
        SCOPED_TRACE("factor " + f);
        try {
            const V v = parse_int_list("1-999999999999*" + f);
            EXPECT_EQ(v, V({1, std::stoll(f)}));
        } catch (const Error& e) {
            EXPECT_EQ(e.kind(), ErrorKind::InvalidArgument) << e.what();
            EXPECT_EQ(std::string(e.what()).find("10000"), std::string::npos) << "rejected for the wrong reason: " << e.what();
        }
    }
    try {
        const V v = parse_int_list("2-999999999999*100000");
        EXPECT_EQ(v, V({2, 200000, 20000000000LL}));
    } catch (const Error& e) {
        EXPECT_EQ(e.kind(), ErrorKind::InvalidArgument) << e.what();
    }
}

TEST(ParamPair, Valid) {
    EXPECT_EQ(parse_int_pair("512,128"), Pair(512, 128));
    EXPECT_EQ(parse_int_pair("0,0"), Pair(0, 0));
    EXPECT_EQ(parse_int_pair("8,4"), Pair(8, 4));
}

TEST(ParamPair, Invalid) {
    expect_pair_error("");
    expect_pair_error("512");
    expect_pair_error("512,");
    expect_pair_error(",128");
    expect_pair_error("1,2,3");
    expect_pair_error("a,b");
    expect_pair_error("-1,2");
    expect_pair_error("1,-2");
    expect_pair_error("1-4,2");
    expect_pair_error("99999999999999,1");
}

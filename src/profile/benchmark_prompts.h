// The three prompts akunu_benchmark runs end to end (the seed's short, medium and long), written
// for this project and shipped inside the library so every run of every build measures the same
// text. They are encoded with the model's own tokenizer at run time, so the token counts vary by
// vocabulary; with the Llama-2 SentencePiece vocab (BOS included) they are about 12, 200 and 1,480.
#pragma once

#include <string_view>
#include <vector>

namespace akunu {

struct BenchmarkPrompt {
    std::string_view name;  // "short", "medium", "long"
    std::string_view text;  // UTF-8, no trailing newline
};

// Short (a one-line instruction), medium (a paragraph of context and a task), long (a report of
// about 6,900 characters and questions on it): in that order, i.e. by increasing length.
const std::vector<BenchmarkPrompt>& benchmark_prompts();

}  // namespace akunu

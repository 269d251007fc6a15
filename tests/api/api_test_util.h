// Shared bits of the C API tests: the stories260K model, its reference vectors, and a helper
// that checks a failed call's status and message.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "akunu/akunu.h"

namespace api_test {

inline std::string shared_path(const std::string& rel) { return std::string(AKUNU_SHARED_DIR) + "/" + rel; }
inline std::string stories_path() { return shared_path("models/stories260K.gguf"); }

// The first generated id after "Once upon a time" (ids 1 403 407 261 378), from the references.
constexpr int32_t kFirstGenerated = 432;

// Owns a model handle.
struct Model {
    akunu_model* m = nullptr;
    Model() = default;
    explicit Model(akunu_model* p) : m(p) {}
    ~Model() { akunu_free_model(m); }
    Model(const Model&) = delete;
    Model& operator=(const Model&) = delete;
    operator akunu_model*() const { return m; }
};

// Loads stories260K with the given max_context (0: the model's).
inline akunu_model* load_stories(uint32_t max_context = 0) {
    akunu_load_params p = akunu_default_load_params();
    p.max_context = max_context;
    akunu_model* m = nullptr;
    const akunu_status st = akunu_load_model(stories_path().c_str(), &p, &m);
    if (st != AKUNU_OK) throw std::runtime_error(std::string("cannot load stories260K: ") + akunu_last_error());
    return m;
}

// Checks that a call returned `want` and that the message contains every one of `parts`.
#define EXPECT_API_ERROR(call, want, ...)                                                              \
    do {                                                                                               \
        const akunu_status st_ = (call);                                                               \
        const std::string msg_ = akunu_last_error();                                                   \
        EXPECT_EQ(st_, (want)) << #call << " returned " << akunu_status_string(st_) << ": " << msg_;  \
        EXPECT_FALSE(msg_.empty()) << #call << " left no message";                                    \
        for (const std::string& part_ : std::vector<std::string>{__VA_ARGS__}) {                        \
            EXPECT_NE(msg_.find(part_), std::string::npos)                                             \
                << #call << ": message does not contain '" << part_ << "': " << msg_;                 \
        }                                                                                              \
    } while (0)

// ---- reference vectors (shared/testdata/stories260K, format in its README.md)

struct GreedyCase {
    std::vector<int32_t> prompt_ids;
    std::vector<int32_t> gen_ids;
    std::string gen_text;
};

inline std::vector<int32_t> parse_ids(const std::string& s) {
    std::istringstream in(s);
    std::vector<int32_t> ids;
    int32_t v;
    while (in >> v) ids.push_back(v);
    return ids;
}

// Decodes a JSON string literal (with its quotes); enough of JSON for the reference file.
inline std::string json_unquote(const std::string& lit) {
    if (lit.size() < 2 || lit.front() != '"' || lit.back() != '"') throw std::runtime_error("not a JSON string: " + lit);
    std::string out;
    for (size_t i = 1; i + 1 < lit.size(); ++i) {
        char c = lit[i];
        if (c != '\\') {
            out += c;
            continue;
        }
        c = lit[++i];
        switch (c) {
            case 'n': out += '\n'; break;
            case 't': out += '\t'; break;
            case 'r': out += '\r'; break;
            case '"': out += '"'; break;
            case '\\': out += '\\'; break;
            case '/': out += '/'; break;
            case 'u': {
                const unsigned cp = (unsigned)std::stoul(lit.substr(i + 1, 4), nullptr, 16);
                i += 4;
                if (cp < 0x80) {
                    out += (char)cp;
                } else if (cp < 0x800) {
                    out += (char)(0xC0 | (cp >> 6));
                    out += (char)(0x80 | (cp & 0x3F));
                } else {
                    out += (char)(0xE0 | (cp >> 12));
                    out += (char)(0x80 | ((cp >> 6) & 0x3F));
                    out += (char)(0x80 | (cp & 0x3F));
                }
                break;
            }
            default: throw std::runtime_error(std::string("unknown escape \\") + c);
        }
    }
    return out;
}

// The case whose `case:` line is exactly `case_line`.
inline GreedyCase greedy_case(const std::string& case_line) {
    std::ifstream in(shared_path("testdata/stories260K/greedy.txt"));
    if (!in) throw std::runtime_error("cannot open greedy.txt");
    std::string line;
    bool in_case = false;
    GreedyCase c;
    while (std::getline(in, line)) {
        if (line.rfind("case: ", 0) == 0) {
            if (in_case) break;
            in_case = line.substr(6) == case_line;
        } else if (in_case && line.rfind("prompt_ids: ", 0) == 0) {
            c.prompt_ids = parse_ids(line.substr(12));
        } else if (in_case && line.rfind("gen_ids: ", 0) == 0) {
            c.gen_ids = parse_ids(line.substr(9));
        } else if (in_case && line.rfind("gen_text: ", 0) == 0) {
            c.gen_text = json_unquote(line.substr(10));
        }
    }
    if (c.gen_ids.empty()) throw std::runtime_error("greedy.txt has no case '" + case_line + "'");
    return c;
}

inline GreedyCase f32_once_upon_a_time_32() { return greedy_case("F32 n_predict=32 prompt=\"Once upon a time\""); }

// Logits of position `pos` for the prompt "Once upon a time" (512 floats).
inline std::vector<float> reference_logits(int pos) {
    std::ifstream in(shared_path("testdata/stories260K/logits-once-upon-a-time.txt"));
    if (!in) throw std::runtime_error("cannot open logits-once-upon-a-time.txt");
    std::string line;
    std::vector<float> out;
    bool in_pos = false;
    while (std::getline(in, line)) {
        if (line.empty() || line[0] == '#') continue;
        if (line.rfind("pos ", 0) == 0) {
            if (in_pos) break;
            in_pos = std::stoi(line.substr(4)) == pos;
            continue;
        }
        if (!in_pos) continue;
        std::istringstream ls(line);
        float v;
        while (ls >> v) out.push_back(v);
    }
    if (out.size() != 512) throw std::runtime_error("reference logits of position " + std::to_string(pos) + " have " +
                                                    std::to_string(out.size()) + " values, expected 512");
    return out;
}

}  // namespace api_test

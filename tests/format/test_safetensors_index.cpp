// model.safetensors.index.json: the weight map of a sharded checkpoint, and the names it may use.
#include <gtest/gtest.h>

#include "core/error.h"
#include "format/safetensors_index.h"

namespace akunu {
namespace {

void expect_format_error(const std::string& text, const std::string& part) {
    SCOPED_TRACE(text);
    try {
        parse_safetensors_index(text, "index.json");
        ADD_FAILURE() << "parsed";
    } catch (const Error& e) {
        EXPECT_EQ(e.kind(), ErrorKind::Format) << e.what();
        EXPECT_NE(std::string(e.what()).find("index.json"), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find(part), std::string::npos) << e.what();
    }
}

TEST(SafetensorsIndex, WeightMapAndShards) {
    const SafetensorsIndex idx = parse_safetensors_index(
        R"({"metadata": {"total_size": 100}, "weight_map": {"b.weight": "model-2.safetensors",
            "a.weight": "model-1.safetensors", "c.bias": "model-2.safetensors"}})",
        "index.json");
    ASSERT_EQ(idx.weight_map.size(), 3u);
    EXPECT_EQ(idx.weight_map[0], (std::pair<std::string, std::string>{"a.weight", "model-1.safetensors"}));
    EXPECT_EQ(idx.weight_map[2].first, "c.bias");
    EXPECT_EQ(idx.shards, (std::vector<std::string>{"model-1.safetensors", "model-2.safetensors"}));
}

TEST(SafetensorsIndex, Malformed) {
    expect_format_error("", "not valid JSON");
    expect_format_error("{\"weight_map\": ", "not valid JSON");
    expect_format_error("[]", "must be a JSON object");
    expect_format_error("{}", "no \"weight_map\"");
    expect_format_error("{\"weight_map\": []}", "no \"weight_map\"");
    expect_format_error("{\"weight_map\": {}}", "is empty");
    expect_format_error("{\"weight_map\": {\"a\": 3}}", "weight_map[\"a\"]");
}

TEST(SafetensorsIndex, ShardNamesStayInTheFolder) {
    for (const char* name : {"../model.safetensors", "sub/model.safetensors", "/etc/passwd", "", ".", "..",
                             "a\\\\b.safetensors"}) {
        expect_format_error(std::string("{\"weight_map\": {\"a\": \"") + name + "\"}}", "not a plain file name");
    }
}

TEST(SafetensorsIndex, UnreadableFileIsAnIoError) {
    try {
        read_safetensors_index("/nonexistent/model.safetensors.index.json");
        FAIL();
    } catch (const Error& e) {
        EXPECT_EQ(e.kind(), ErrorKind::Io);
        EXPECT_NE(std::string(e.what()).find("/nonexistent/model.safetensors.index.json"), std::string::npos);
    }
}

}  // namespace
}  // namespace akunu

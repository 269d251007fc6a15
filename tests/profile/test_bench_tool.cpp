// akunu_bench run as a user runs it: every flag, list expansion into test rows (pp, then tg, then
// pg, at each depth), each output format read back, the peak column with an isolated cache, the
// roofline line, a side-by-side run against a fake llama-bench, and bad arguments (non-zero exit
// with a usage line or a message, never a crash). stories260K and the synthetic "tiny" model keep
// every run well under two seconds on an idle machine.
#include <gtest/gtest.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "akunu/akunu.h"
#include "profile/tool_runner.h"

using namespace tool_test;
using nlohmann::json;
using Args = std::vector<std::string>;

namespace {

Args concat(Args a, const Args& b) {
    a.insert(a.end(), b.begin(), b.end());
    return a;
}

class BenchTool : public ::testing::Test {
protected:
    void SetUp() override {
        ASSERT_TRUE(is_executable(tool_path("akunu_bench"))) << tool_path("akunu_bench") << " is not built (target akunu_bench)";
        ASSERT_TRUE(file_exists(stories_path())) << stories_path();
    }

    static ToolResult bench(const Args& args, const std::vector<std::pair<std::string, std::string>>& env = {}) {
        return run_tool("akunu_bench", args, env);
    }

    // stories260K, one repetition, no peak measurement; then `args`.
    static Args stories(const Args& args) { return concat({stories_path(), "-r", "1", "--no-peak"}, args); }
    // The same with `reps` repetitions (CLI11 refuses a repeated -r).
    static Args stories_reps(int reps, const Args& args) {
        return concat({stories_path(), "-r", std::to_string(reps), "--no-peak"}, args);
    }

    // Runs with -o json, expects success and returns the parsed array of records.
    static json bench_json(const Args& args, const std::vector<std::pair<std::string, std::string>>& env = {}) {
        const ToolResult r = bench(concat(args, {"-o", "json"}), env);
        EXPECT_TRUE(r.ok()) << r.describe();
        if (!r.ok()) return json::array();
        json j;
        try {
            j = json::parse(r.out);
        } catch (const std::exception& e) {
            ADD_FAILURE() << "stdout is not JSON: " << e.what() << "\n" << r.describe();
            return json::array();
        }
        EXPECT_TRUE(j.is_array()) << r.out;
        return j.is_array() ? j : json::array();
    }

    static std::vector<std::string> tests_of(const json& records) {
        std::vector<std::string> out;
        for (const json& r : records) out.push_back(r.value("test", std::string("?")));
        return out;
    }

    // Expects a clean failure: the tool exited by itself (no signal, no timeout) with a non-zero
    // status, printed something on stderr containing every one of `parts`, and no report on stdout.
    static void expect_clean_failure(const Args& args, const std::vector<std::string>& parts) {
        const ToolResult r = bench(args);
        SCOPED_TRACE(r.command);
        EXPECT_TRUE(r.exited()) << "crashed or hung\n" << r.describe();
        EXPECT_NE(r.exit_code, 0) << r.describe();
        EXPECT_LT(r.exit_code, 128) << "exit status looks like a signal\n" << r.describe();
        EXPECT_FALSE(trim(r.err).empty()) << "no message on stderr\n" << r.describe();
        for (const std::string& p : parts) {
            EXPECT_TRUE(contains(r.err, p)) << "stderr lacks '" << p << "'\n" << r.describe();
        }
        EXPECT_FALSE(contains(r.out, "| model")) << "printed a report on failure\n" << r.describe();
    }
};

// Whether this build can load a model on CUDA (then --backend cuda is not an error).
bool cuda_available() {
    akunu_load_params p = akunu_default_load_params();
    p.backend = AKUNU_BACKEND_CUDA;
    akunu_model* m = nullptr;
    const bool ok = akunu_load_synthetic("tiny", &p, &m) == AKUNU_OK;
    akunu_free_model(m);
    return ok;
}

// A stand-in for llama-bench: logs its arguments, checks the model file it was given exists, and
// prints a llama-bench JSONL record (after a log line that is not JSON), or fails as told.
std::string fake_llama_bench(const TempDir& dir, const std::string& mode = "ok") {
    const std::string path = dir.file("llama-bench");
    std::string script =
        "#!/bin/sh\n"
        "dir=$(dirname \"$0\")\n"
        "printf '%s\\n' \"$*\" >> \"$dir/calls.txt\"\n"
        "model=''\n"
        "while [ $# -gt 0 ]; do\n"
        "  if [ \"$1\" = '-m' ]; then model=\"$2\"; fi\n"
        "  shift\n"
        "done\n"
        "if [ -f \"$model\" ]; then echo \"exists $model\" >> \"$dir/models.txt\"; else echo \"missing $model\" >> \"$dir/models.txt\"; fi\n";
    if (mode == "fail") {
        script += "echo 'error: failed to load model' >&2\nexit 3\n";
    } else if (mode == "nojson") {
        script += "echo 'main: llama backend init'\necho 'nothing useful'\nexit 0\n";
    } else if (mode == "badjson") {
        script += "echo '{\"avg_ts\": 12, oops'\nexit 0\n";
    } else {
        script +=
            "echo 'main: llama backend init'\n"
            "echo '{\"build_commit\":\"fake123\",\"build_number\":1,\"cpu_info\":\"Fake CPU\",\"gpu_info\":\"\","
            "\"backends\":\"CPU\",\"model_filename\":\"m.gguf\",\"model_type\":\"llama ?B all F32\",\"model_size\":1171200,"
            "\"model_n_params\":292800,\"n_threads\":2,\"test_time\":\"2025-01-01T00:00:00Z\",\"avg_ns\":4000000,"
            "\"stddev_ns\":0,\"avg_ts\":1000.0,\"stddev_ts\":10.0,\"samples_ns\":[4000000,4000000],"
            "\"samples_ts\":[990.0,1010.0]}'\n";
    }
    write_file(path, script, true);
    return path;
}

}  // namespace

// ---------------------------------------------------------------- test lists

TEST_F(BenchTool, PromptList) {
    EXPECT_EQ(tests_of(bench_json(stories({"-p", "16,8", "-n", "0"}))), Args({"pp16", "pp8"}));
    EXPECT_EQ(tests_of(bench_json(stories({"--pp", "4", "-n", "0"}))), Args({"pp4"}));
}

TEST_F(BenchTool, PromptRangeWithStep) {
    const json j = bench_json(stories({"-p", "4-12+4", "-n", "0"}));
    EXPECT_EQ(tests_of(j), Args({"pp4", "pp8", "pp12"}));
    for (size_t i = 0; i < j.size(); ++i) {
        EXPECT_EQ(j[i]["n_prompt"], 4 * (i + 1));
        EXPECT_EQ(j[i]["n_gen"], 0);
        EXPECT_EQ(j[i]["decode_mode"], "");
    }
}

TEST_F(BenchTool, PromptRangeWithFactor) {
    EXPECT_EQ(tests_of(bench_json(stories({"-p", "2-16*2", "-n", "0"}))), Args({"pp2", "pp4", "pp8", "pp16"}));
}

TEST_F(BenchTool, GenerationList) {
    const json j = bench_json(stories({"-p", "0", "-n", "4,2"}));
    EXPECT_EQ(tests_of(j), Args({"tg4", "tg2"}));
    ASSERT_EQ(j.size(), 2u);
    EXPECT_EQ(j[0]["n_gen"], 4);
    EXPECT_EQ(j[0]["n_prompt"], 0);
    EXPECT_EQ(j[0]["decode_mode"], "chain");
    EXPECT_EQ(tests_of(bench_json(stories({"-p", "0", "--tg", "1-3"}))), Args({"tg1", "tg2", "tg3"}));
}

TEST_F(BenchTool, PromptThenGenerationThenPg) {
    const json j = bench_json(stories({"-p", "8,4", "-n", "2", "-pg", "8,4"}));
    EXPECT_EQ(tests_of(j), Args({"pp8", "pp4", "tg2", "pp8+tg4"}));
    ASSERT_EQ(j.size(), 4u);
    EXPECT_EQ(j[3]["n_prompt"], 8);
    EXPECT_EQ(j[3]["n_gen"], 4);
    // tokens/s of a pg test counts prompt and generated tokens.
    const double ms = j[3]["samples_ms"][0].get<double>();
    EXPECT_NEAR(j[3]["samples_ts"][0].get<double>(), 12.0 / (ms / 1000.0), 1e-6 * 12.0 / (ms / 1000.0));
}

TEST_F(BenchTool, PgSpellingsAndRepeats) {
    EXPECT_EQ(tests_of(bench_json(stories({"-p", "0", "-n", "0", "-pg", "8,4"}))), Args({"pp8+tg4"}));
    EXPECT_EQ(tests_of(bench_json(stories({"-p", "0", "-n", "0", "--pg", "8,4", "--pg", "4,2"}))),
              Args({"pp8+tg4", "pp4+tg2"}));
}

TEST_F(BenchTool, DefaultsArePp512AndTg128) {
    const json j = bench_json({stories_path(), "-r", "1", "--no-peak", "-t", "1"});
    EXPECT_EQ(tests_of(j), Args({"pp512", "tg128"}));
}

TEST_F(BenchTool, Repetitions) {
    for (int reps : {1, 3}) {
        const json j = bench_json({stories_path(), "--no-peak", "-p", "4", "-n", "2", "-r", std::to_string(reps)});
        ASSERT_EQ(j.size(), 2u);
        for (const json& rec : j) {
            EXPECT_EQ(rec["reps"], reps);
            EXPECT_EQ(rec["samples_ts"].size(), (size_t)reps) << rec.dump();
            EXPECT_EQ(rec["samples_ms"].size(), (size_t)reps) << rec.dump();
            // avg_ts is the mean of the samples.
            double sum = 0;
            for (const json& v : rec["samples_ts"]) {
                EXPECT_GT(v.get<double>(), 0);
                sum += v.get<double>();
            }
            EXPECT_NEAR(rec["avg_ts"].get<double>(), sum / reps, 1e-9 * sum);
            if (reps == 1) {
                EXPECT_EQ(rec["stddev_ts"], 0.0);
            }
        }
    }
    const json j = bench_json({stories_path(), "--no-peak", "-p", "4", "-n", "0", "--reps", "2"});
    ASSERT_EQ(j.size(), 1u);
    EXPECT_EQ(j[0]["samples_ts"].size(), 2u);
}

TEST_F(BenchTool, Depth) {
    const json j = bench_json(stories({"-p", "8", "-n", "4", "-d", "0,16"}));
    EXPECT_EQ(tests_of(j), Args({"pp8", "tg4", "pp8 @ d16", "tg4 @ d16"}));
    ASSERT_EQ(j.size(), 4u);
    EXPECT_EQ(j[0]["depth"], 0);
    EXPECT_EQ(j[3]["depth"], 16);
    EXPECT_EQ(tests_of(bench_json(stories({"-p", "0", "-n", "4", "--depth", "16"}))), Args({"tg4 @ d16"}));
}

TEST_F(BenchTool, Threads) {
    const json j = bench_json(stories({"-p", "0", "-n", "2", "-t", "1,2"}));
    ASSERT_EQ(j.size(), 2u);
    EXPECT_EQ(j[0]["threads"], 1);
    EXPECT_EQ(j[1]["threads"], 2);
    EXPECT_EQ(tests_of(j), Args({"tg2", "tg2"}));
    const json one = bench_json(stories({"-p", "0", "-n", "2", "--threads", "1"}));
    ASSERT_EQ(one.size(), 1u);
    EXPECT_EQ(one[0]["threads"], 1);
    // 0: every core, reported as the number actually used.
    const json all = bench_json(stories({"-p", "0", "-n", "2", "-t", "0"}));
    ASSERT_EQ(all.size(), 1u);
    EXPECT_GE(all[0]["threads"].get<int>(), 1);
}

TEST_F(BenchTool, BackendCpu) {
    for (const char* b : {"cpu", "auto"}) {
        const json j = bench_json(stories({"-p", "4", "-n", "0", "--backend", b}));
        ASSERT_EQ(j.size(), 1u) << b;
        if (std::string(b) == "cpu" || !cuda_available()) {
            EXPECT_EQ(j[0]["backend"], "CPU") << b;
        }
    }
}

TEST_F(BenchTool, BackendCudaInACpuBuild) {
    if (cuda_available()) GTEST_SKIP() << "this build runs on CUDA";
    expect_clean_failure({"--synthetic", "tiny", "-p", "4", "-n", "0", "-r", "1", "--no-peak", "--backend", "cuda"},
                         {"CUDA"});
}

TEST_F(BenchTool, DecodeModes) {
    const json chain = bench_json(stories({"-p", "0", "-n", "4", "--decode", "chain"}));
    EXPECT_EQ(tests_of(chain), Args({"tg4"}));
    ASSERT_EQ(chain.size(), 1u);
    EXPECT_EQ(chain[0]["decode_mode"], "chain");

    const json step = bench_json(stories({"-p", "0", "-n", "4", "--decode", "step"}));
    EXPECT_EQ(tests_of(step), Args({"tg4 (step)"}));
    ASSERT_EQ(step.size(), 1u);
    EXPECT_EQ(step[0]["decode_mode"], "step");

    // Both: each decode test twice (chain first); prefill tests once.
    const json both = bench_json(stories({"-p", "8", "-n", "4", "-pg", "8,4", "--decode", "chain,step"}));
    EXPECT_EQ(tests_of(both), Args({"pp8", "tg4", "tg4 (step)", "pp8+tg4", "pp8+tg4 (step)"}));
    ASSERT_EQ(both.size(), 5u);
    EXPECT_EQ(both[1]["decode_mode"], "chain");
    EXPECT_EQ(both[2]["decode_mode"], "step");
    EXPECT_EQ(both[4]["decode_mode"], "step");
}

// ---------------------------------------------------------------- output formats

TEST_F(BenchTool, MarkdownDefault) {
    const ToolResult r = bench(stories({"-p", "8", "-n", "4"}));
    ASSERT_TRUE(r.ok()) << r.describe();
    std::vector<std::string> lines;
    for (const std::string& l : split_lines(r.out)) {
        if (!l.empty()) lines.push_back(l);
    }
    ASSERT_EQ(lines.size(), 4u) << r.out;
    EXPECT_EQ(report_parse::markdown_cells(lines[0]),
              Args({"model", "size", "params", "backend", "threads", "test", "t/s", "GB/s", "% peak"}));
    for (const std::string& c : report_parse::markdown_cells(lines[1])) {
        EXPECT_EQ(c.find_first_not_of("-:"), std::string::npos) << lines[1];
    }
    const Args pp = report_parse::markdown_cells(lines[2]), tg = report_parse::markdown_cells(lines[3]);
    ASSERT_EQ(pp.size(), 9u);
    ASSERT_EQ(tg.size(), 9u);
    EXPECT_EQ(pp[5], "pp8");
    EXPECT_EQ(tg[5], "tg4");
    EXPECT_EQ(pp[3], "CPU");
    EXPECT_TRUE(contains(pp[6], " ± ")) << pp[6];
    EXPECT_TRUE(contains(pp[0], "llama")) << pp[0];
    EXPECT_TRUE(contains(pp[1], "MiB")) << pp[1];
    EXPECT_EQ(pp[7], "") << "prefill rows have no GB/s";
    EXPECT_NE(tg[7], "") << "decode rows have GB/s";
    EXPECT_EQ(tg[8], "") << "no % of peak with --no-peak";
    // The same with -o md.
    const ToolResult md = bench(stories({"-p", "8", "-n", "4", "-o", "md"}));
    ASSERT_TRUE(md.ok()) << md.describe();
    EXPECT_EQ(split_lines(md.out).size(), split_lines(r.out).size());
    EXPECT_TRUE(md.out.rfind("| model", 0) == 0) << md.out;
}

TEST_F(BenchTool, CsvParsesBack) {
    const ToolResult r = bench(stories_reps(2, {"-p", "8", "-n", "4", "-o", "csv"}));
    ASSERT_TRUE(r.ok()) << r.describe();
    std::string err;
    const report_parse::Table t = report_parse::parse_csv(r.out, &err);
    ASSERT_TRUE(err.empty()) << err << "\n" << r.out;
    ASSERT_EQ(t.size(), 3u) << r.out;
    for (const auto& row : t) {
        EXPECT_EQ(row.size(), t[0].size()) << "ragged CSV";
    }
    auto col = [&](const std::string& name) {
        const auto it = std::find(t[0].begin(), t[0].end(), name);
        EXPECT_NE(it, t[0].end()) << "no column " << name;
        return (size_t)(it - t[0].begin());
    };
    EXPECT_EQ(t[1][col("test")], "pp8");
    EXPECT_EQ(t[2][col("test")], "tg4");
    EXPECT_EQ(t[1][col("engine")], "akunu");
    EXPECT_EQ(t[1][col("n_prompt")], "8");
    EXPECT_EQ(t[2][col("n_gen")], "4");
    EXPECT_EQ(t[2][col("reps")], "2");
    EXPECT_EQ(t[1][col("model_file")], stories_path());
    // Samples joined by ';', two of them.
    const std::string samples = t[2][col("samples_ts")];
    EXPECT_EQ(std::count(samples.begin(), samples.end(), ';'), 1) << samples;
    EXPECT_GT(std::stod(t[2][col("avg_ts")]), 0);
}

TEST_F(BenchTool, JsonHasEveryField) {
    const json j = bench_json(stories({"-p", "8", "-n", "4"}));
    ASSERT_EQ(j.size(), 2u);
    for (const char* k : {"engine", "build_commit", "timestamp", "backend", "device", "isa", "threads",
                          "peak_bandwidth_gbs", "model_file", "model_desc", "weight_type", "model_size", "n_params",
                          "test", "n_prompt", "n_gen", "depth", "reps", "decode_mode", "max_context", "samples_ms",
                          "samples_ts", "avg_ts", "stddev_ts", "bytes_per_token", "gbs", "pct_peak",
                          "ratio_vs_llama_cpp", "warnings"}) {
        EXPECT_TRUE(j[0].contains(k)) << k;
    }
    EXPECT_EQ(j[0]["model_file"], stories_path());
    EXPECT_EQ(j[0]["weight_type"], "F32");
    EXPECT_GT(j[0]["model_size"].get<uint64_t>(), 1000000u);
    EXPECT_GT(j[0]["n_params"].get<uint64_t>(), 200000u);
    EXPECT_EQ(j[0]["bytes_per_token"], 0.0) << "prefill";
    EXPECT_GT(j[1]["bytes_per_token"].get<double>(), j[1]["model_size"].get<double>()) << "weights + KV";
    EXPECT_GT(j[1]["gbs"].get<double>(), 0);
    EXPECT_EQ(j[1]["pct_peak"], 0.0) << "--no-peak";
    // The context defaults to what the tests need.
    EXPECT_EQ(j[0]["max_context"], 8);
}

TEST_F(BenchTool, JsonlOneObjectPerLine) {
    const ToolResult r = bench(stories({"-p", "8", "-n", "4", "-o", "jsonl"}));
    ASSERT_TRUE(r.ok()) << r.describe();
    const Args lines = split_lines(r.out);
    ASSERT_EQ(lines.size(), 2u) << r.out;
    Args tests;
    for (const std::string& l : lines) {
        json j;
        ASSERT_NO_THROW(j = json::parse(l)) << l;
        ASSERT_TRUE(j.is_object());
        tests.push_back(j["test"]);
    }
    EXPECT_EQ(tests, Args({"pp8", "tg4"}));
}

TEST_F(BenchTool, SqlStatements) {
    const ToolResult r = bench(stories({"-p", "8", "-n", "4", "-o", "sql"}));
    ASSERT_TRUE(r.ok()) << r.describe();
    EXPECT_EQ(r.out.rfind("CREATE TABLE IF NOT EXISTS akunu_bench (", 0), 0u) << r.out;
    std::vector<std::string> inserts;
    for (const std::string& l : split_lines(r.out)) {
        if (l.rfind("INSERT INTO", 0) == 0) inserts.push_back(l);
    }
    ASSERT_EQ(inserts.size(), 2u) << r.out;
    Args tests;
    for (const std::string& s : inserts) {
        std::vector<std::string> cols, vals;
        std::vector<bool> str;
        std::string err;
        ASSERT_TRUE(report_parse::parse_sql_insert(s, &cols, &vals, &str, &err)) << err << "\n" << s;
        ASSERT_EQ(cols.size(), vals.size());
        const auto it = std::find(cols.begin(), cols.end(), "test");
        ASSERT_NE(it, cols.end());
        tests.push_back(vals[(size_t)(it - cols.begin())]);
    }
    EXPECT_EQ(tests, Args({"pp8", "tg4"}));
    if (is_executable("/usr/bin/sqlite3")) {
        TempDir dir;
        write_file(dir.file("in.sql"), r.out + "SELECT group_concat(test, ',') FROM akunu_bench;\n");
        const ToolResult q = run_tool("/usr/bin/sqlite3", {":memory:", ".read " + dir.file("in.sql")});
        ASSERT_TRUE(q.ok()) << q.describe();
        EXPECT_EQ(q.out, "pp8,tg4\n");
    }
}

// ---------------------------------------------------------------- model selection

TEST_F(BenchTool, PositionalModelAndDashM) {
    const json a = bench_json({stories_path(), "-r", "1", "--no-peak", "-p", "4", "-n", "0"});
    const json b = bench_json({"-m", stories_path(), "-r", "1", "--no-peak", "-p", "4", "-n", "0"});
    const json c = bench_json({"--model", stories_path(), "-r", "1", "--no-peak", "-p", "4", "-n", "0"});
    ASSERT_EQ(a.size(), 1u);
    ASSERT_EQ(b.size(), 1u);
    ASSERT_EQ(c.size(), 1u);
    for (const json* j : {&a, &b, &c}) {
        EXPECT_EQ((*j)[0]["model_file"], stories_path());
        EXPECT_EQ((*j)[0]["model_desc"], a[0]["model_desc"]);
        EXPECT_EQ((*j)[0]["n_params"], a[0]["n_params"]);
    }
}

TEST_F(BenchTool, SyntheticModel) {
    const json j = bench_json({"--synthetic", "tiny", "-r", "1", "--no-peak", "-p", "4", "-n", "2"});
    ASSERT_EQ(j.size(), 2u);
    EXPECT_EQ(j[0]["model_file"], "synthetic:tiny");
    EXPECT_EQ(tests_of(j), Args({"pp4", "tg2"}));
    EXPECT_TRUE(contains(j[0]["model_desc"].get<std::string>(), "llama")) << j[0]["model_desc"];
    EXPECT_GT(j[0]["n_params"].get<uint64_t>(), 1000000u);
}

TEST_F(BenchTool, ContextTooSmall) {
    expect_clean_failure(stories({"-p", "8", "-n", "0", "-c", "4"}), {"pp8", "8 positions", "4"});
    expect_clean_failure(stories({"-p", "0", "-n", "4", "-d", "16", "--ctx", "16"}), {"tg4 @ d16", "21"});
}

TEST_F(BenchTool, ContextLargeEnough) {
    const json j = bench_json(stories({"-p", "8", "-n", "0", "-c", "64"}));
    ASSERT_EQ(j.size(), 1u);
    EXPECT_EQ(j[0]["max_context"], 64);
}

// ---------------------------------------------------------------- peak and roofline

TEST_F(BenchTool, RooflineLineOnStderr) {
    const ToolResult r = bench(stories({"-p", "8", "-n", "4,2", "--roofline"}));
    ASSERT_TRUE(r.ok()) << r.describe();
    std::vector<std::string> roof;
    for (const std::string& l : split_lines(r.err)) {
        if (l.rfind("roofline ", 0) == 0) roof.push_back(l);
    }
    // One line per decode test, none for prefill.
    ASSERT_EQ(roof.size(), 2u) << r.err;
    EXPECT_TRUE(contains(roof[0], " tg4:")) << roof[0];
    EXPECT_TRUE(contains(roof[1], " tg2:")) << roof[1];
    EXPECT_TRUE(contains(roof[0], "MiB read per token")) << roof[0];
    EXPECT_TRUE(contains(roof[0], "peak bandwidth unknown")) << "with --no-peak: " << roof[0];
    EXPECT_FALSE(contains(r.out, "roofline")) << "the roofline goes to stderr, not into the report";
    // Without --roofline, no such line.
    const ToolResult plain = bench(stories({"-p", "0", "-n", "4"}));
    ASSERT_TRUE(plain.ok()) << plain.describe();
    EXPECT_FALSE(contains(plain.err, "roofline")) << plain.err;
}

TEST_F(BenchTool, PeakColumnWithIsolatedCache) {
    TempDir cache;
    ASSERT_TRUE(cache.ok());
    const std::vector<std::pair<std::string, std::string>> env = {{"AKUNU_CACHE_DIR", cache.path()}};
    const Args args = {stories_path(), "-r", "1", "-p", "8", "-n", "4"};

    // First run measures and stores the peak.
    const json j = bench_json(args, env);
    ASSERT_EQ(j.size(), 2u);
    const double peak = j[1]["peak_bandwidth_gbs"].get<double>();
    EXPECT_GT(peak, 0);
    EXPECT_EQ(j[1]["peak_bandwidth_source"], "measured");
    EXPECT_GT(j[1]["pct_peak"].get<double>(), 0);
    EXPECT_NEAR(j[1]["pct_peak"].get<double>(), 100.0 * j[1]["gbs"].get<double>() / peak, 1e-6);
    EXPECT_EQ(j[0]["pct_peak"], 0.0) << "prefill has no % of peak";
    const std::string cache_file = cache.file("peak_bandwidth.json");
    ASSERT_TRUE(file_exists(cache_file)) << "the measured peak was not cached in $AKUNU_CACHE_DIR";
    const json cached = json::parse(read_file(cache_file));
    ASSERT_TRUE(cached.is_object());
    ASSERT_EQ(cached.size(), 1u) << cached.dump();
    EXPECT_DOUBLE_EQ(cached.begin().value()["gbs"].get<double>(), peak);

    // Second run reads the cache: same number, source says cached; markdown shows % peak.
    const ToolResult md = bench(concat(args, {"--roofline"}), env);
    ASSERT_TRUE(md.ok()) << md.describe();
    std::vector<std::string> lines;
    for (const std::string& l : split_lines(md.out)) {
        if (!l.empty()) lines.push_back(l);
    }
    ASSERT_EQ(lines.size(), 4u) << md.out;
    const Args tg = report_parse::markdown_cells(lines[3]);
    ASSERT_EQ(tg.size(), 9u);
    EXPECT_EQ(tg[5], "tg4");
    ASSERT_FALSE(tg[8].empty()) << "no % peak with a measured peak: " << lines[3];
    EXPECT_EQ(tg[8].back(), '%') << tg[8];
    EXPECT_TRUE(contains(md.err, "(measured (cached")) << md.err;
    EXPECT_TRUE(contains(md.err, "% of the limit")) << "roofline with a known peak: " << md.err;

    const json again = bench_json(args, env);
    ASSERT_EQ(again.size(), 2u);
    EXPECT_DOUBLE_EQ(again[1]["peak_bandwidth_gbs"].get<double>(), peak);
    EXPECT_EQ(again[1]["peak_bandwidth_source"].get<std::string>().rfind("measured (cached ", 0), 0u)
        << again[1]["peak_bandwidth_source"];

    // --refresh-peak measures again.
    const json fresh = bench_json(concat(args, {"--refresh-peak"}), env);
    ASSERT_EQ(fresh.size(), 2u);
    EXPECT_EQ(fresh[1]["peak_bandwidth_source"], "measured");

    // --no-peak leaves it out even with a cache.
    const json none = bench_json(concat(args, {"--no-peak"}), env);
    ASSERT_EQ(none.size(), 2u);
    EXPECT_EQ(none[1]["peak_bandwidth_gbs"], 0.0);
    EXPECT_EQ(none[1]["pct_peak"], 0.0);
}

// ---------------------------------------------------------------- --compare-llama-bench

TEST_F(BenchTool, CompareWithFakeLlamaBench) {
    TempDir dir;
    ASSERT_TRUE(dir.ok());
    const std::string fake = fake_llama_bench(dir);
    const Args args = stories_reps(2, {"-p", "8", "-n", "4", "-pg", "8,4", "-d", "0,16", "--compare-llama-bench", fake});
    const json j = bench_json(args);
    ASSERT_EQ(j.size(), 12u) << j.dump(1);
    const Args want = {"pp8", "tg4", "pp8+tg4", "pp8 @ d16", "tg4 @ d16", "pp8+tg4 @ d16"};
    for (size_t i = 0; i < j.size(); ++i) {
        SCOPED_TRACE("row " + std::to_string(i));
        const json& r = j[i];
        EXPECT_EQ(r["test"], want[i / 2]);
        if (i % 2 == 0) {
            EXPECT_EQ(r["engine"], "akunu");
            EXPECT_NEAR(r["ratio_vs_llama_cpp"].get<double>(), r["avg_ts"].get<double>() / 1000.0, 1e-9 * r["avg_ts"].get<double>());
        } else {
            EXPECT_EQ(r["engine"], "llama.cpp");
            EXPECT_EQ(r["avg_ts"], 1000.0);
            EXPECT_EQ(r["stddev_ts"], 10.0);
            EXPECT_EQ(r["samples_ts"], json({990.0, 1010.0}));
            EXPECT_EQ(r["samples_ms"], json({4.0, 4.0}));
            EXPECT_EQ(r["build_commit"], "fake123");
            EXPECT_EQ(r["device"], "Fake CPU");
            EXPECT_EQ(r["model_file"], stories_path());
            EXPECT_EQ(r["n_prompt"], j[i - 1]["n_prompt"]);
            EXPECT_EQ(r["n_gen"], j[i - 1]["n_gen"]);
            EXPECT_EQ(r["depth"], j[i - 1]["depth"]);
            EXPECT_EQ(r["ratio_vs_llama_cpp"], 0.0);
        }
    }
    // The command lines llama-bench got: same file, reps, threads, test and depth; no cache type, as
    // llama-bench has no f32 cache (real llama-bench exits 1 on -ctk f32); the run says so (below).
    const Args calls = split_lines(read_file(dir.file("calls.txt")));
    ASSERT_EQ(calls.size(), 6u) << read_file(dir.file("calls.txt"));
    const std::string head = "-m " + stories_path() + " -r 2 -o jsonl -t " + std::to_string(j[0]["threads"].get<int>()) +
                             " -ngl 0";
    EXPECT_EQ(calls[0], head + " -p 8 -n 0");
    EXPECT_EQ(calls[1], head + " -p 0 -n 4");
    EXPECT_EQ(calls[2], head + " -p 0 -n 0 -pg 8,4");
    EXPECT_EQ(calls[3], head + " -p 8 -n 0 -d 16");
    EXPECT_EQ(calls[4], head + " -p 0 -n 4 -d 16");
    EXPECT_EQ(calls[5], head + " -p 0 -n 0 -pg 8,4 -d 16");

    // Markdown: an engine column first and the ratio last.
    const ToolResult md = bench(stories({"-p", "0", "-n", "4", "--compare-llama-bench", fake}));
    ASSERT_TRUE(md.ok()) << md.describe();
    EXPECT_NE(md.err.find("llama-bench has no f32 KV cache"), std::string::npos) << md.err;
    // An f16 cache is passed on: both engines run the same cache type.
    const ToolResult f16 = bench(stories({"-p", "0", "-n", "4", "--kv-type", "f16", "--compare-llama-bench", fake}));
    ASSERT_TRUE(f16.ok()) << f16.describe();
    EXPECT_EQ(f16.err.find("no f32 KV cache"), std::string::npos) << f16.err;
    const Args all_calls = split_lines(read_file(dir.file("calls.txt")));
    ASSERT_FALSE(all_calls.empty());
    EXPECT_NE(all_calls.back().find(" -ngl 0 -ctk f16 -ctv f16 -p 0 -n 4"), std::string::npos) << all_calls.back();
    std::vector<std::string> lines;
    for (const std::string& l : split_lines(md.out)) {
        if (!l.empty()) lines.push_back(l);
    }
    ASSERT_EQ(lines.size(), 4u) << md.out;
    EXPECT_EQ(report_parse::markdown_cells(lines[0]),
              Args({"engine", "model", "size", "params", "backend", "threads", "test", "t/s", "GB/s", "% peak",
                    "vs llama.cpp"}));
    const Args ours = report_parse::markdown_cells(lines[2]), theirs = report_parse::markdown_cells(lines[3]);
    ASSERT_EQ(ours.size(), 11u);
    ASSERT_EQ(theirs.size(), 11u);
    EXPECT_EQ(ours[0], "akunu");
    EXPECT_EQ(theirs[0], "llama.cpp");
    EXPECT_EQ(theirs[7], "1000.00 ± 10.00");
    ASSERT_FALSE(ours[10].empty());
    EXPECT_EQ(ours[10].back(), 'x') << ours[10];
    EXPECT_EQ(theirs[10], "");
}

TEST_F(BenchTool, CompareWithSyntheticModelUsesATemporaryFile) {
    TempDir dir, tmp;
    ASSERT_TRUE(dir.ok() && tmp.ok());
    const std::string fake = fake_llama_bench(dir);
    const json j = bench_json({"--synthetic", "tiny", "-r", "1", "--no-peak", "-p", "0", "-n", "2", "--compare-llama-bench", fake},
                              {{"TMPDIR", tmp.path()}});
    ASSERT_EQ(j.size(), 2u);
    // llama-bench read a GGUF file that existed while it ran, in $TMPDIR ...
    const Args models = split_lines(read_file(dir.file("models.txt")));
    ASSERT_EQ(models.size(), 1u);
    EXPECT_EQ(models[0].rfind("exists " + tmp.path() + "/", 0), 0u) << models[0];
    EXPECT_EQ(j[1]["model_file"].get<std::string>(), models[0].substr(7));
    // ... and it is gone afterwards.
    EXPECT_FALSE(file_exists(models[0].substr(7))) << "temporary model left behind";
}

// A Hugging Face folder is converted once to a temporary GGUF: llama-bench reads that file, every
// -t value loads it (no conversion per thread count), --quantize applies to it, and it is removed.
TEST_F(BenchTool, CompareWithHfFolderUsesOneConvertedFile) {
    TempDir dir, tmp;
    ASSERT_TRUE(dir.ok() && tmp.ok());
    const std::string fake = fake_llama_bench(dir);
    const std::string folder = std::string(AKUNU_HF_FIXTURES) + "/qwen3";
    const json j = bench_json({folder, "-r", "1", "--no-peak", "-p", "0", "-n", "2", "-t", "1,2", "--quantize", "q8_0",
                               "--compare-llama-bench", fake},
                              {{"TMPDIR", tmp.path()}});
    ASSERT_EQ(j.size(), 4u) << j.dump(1);
    const Args models = split_lines(read_file(dir.file("models.txt")));
    ASSERT_EQ(models.size(), 2u);
    for (const std::string& m : models) {
        EXPECT_EQ(m.rfind("exists " + tmp.path() + "/", 0), 0u) << m;
        EXPECT_EQ(m, models[0]) << "one converted file for every thread count";
    }
    EXPECT_EQ(j[0]["model_file"], folder);
    EXPECT_EQ(j[0]["weight_type"], "Q8_0");
    EXPECT_FALSE(file_exists(models[0].substr(7))) << "temporary model left behind";
}

TEST_F(BenchTool, CompareFailsWhenLlamaBenchFails) {
    for (const std::string mode : {"fail", "nojson", "badjson"}) {
        SCOPED_TRACE(mode);
        TempDir dir;
        ASSERT_TRUE(dir.ok());
        const std::string fake = fake_llama_bench(dir, mode);
        const Args parts = mode == "fail" ? Args{"llama-bench", "status 3"} : Args{"llama-bench"};
        expect_clean_failure(stories({"-p", "0", "-n", "2", "--compare-llama-bench", fake}), parts);
    }
    expect_clean_failure(stories({"-p", "0", "-n", "2", "--compare-llama-bench", "/nonexistent/llama-bench"}),
                         {"llama-bench"});
}

// ---------------------------------------------------------------- bad arguments

TEST_F(BenchTool, UnknownFlag) { expect_clean_failure({stories_path(), "--bogus"}, {"--bogus"}); }

TEST_F(BenchTool, BadList) {
    expect_clean_failure(stories({"-p", "abc"}), {"'abc'"});
    expect_clean_failure(stories({"-n", "5-3"}), {"'5-3'"});
    expect_clean_failure(stories({"-d", "1,"}), {"'1,'"});
    expect_clean_failure(stories({"-t", "x"}), {"'x'"});
    expect_clean_failure(stories({"-p", "1-8+0"}), {"'1-8+0'"});
    expect_clean_failure(stories({"-pg", "8"}), {"'8'"});
    expect_clean_failure(stories({"--pg", "8,4,2"}), {"'8,4,2'"});
}

TEST_F(BenchTool, BadRepetitions) {
    expect_clean_failure({stories_path(), "-r", "0"}, {"--reps"});
    expect_clean_failure({stories_path(), "-r", "-1"}, {"--reps"});
    expect_clean_failure({stories_path(), "-r", "x"}, {"--reps"});
}

TEST_F(BenchTool, BadOutputFormat) { expect_clean_failure(stories({"-o", "xml"}), {"xml"}); }

TEST_F(BenchTool, BadDecode) {
    expect_clean_failure(stories({"--decode", "foo"}), {"--decode"});
    expect_clean_failure(stories({"--decode", ""}), {"--decode"});
}

// "chain, step or chain,step": other spellings that merely contain those words are errors too.
TEST_F(BenchTool, DecodeRejectsMalformedLists) {
    expect_clean_failure(stories({"-p", "0", "-n", "2", "--decode", "chainstep"}), {"--decode"});
    expect_clean_failure(stories({"-p", "0", "-n", "2", "--decode", ",step"}), {"--decode"});
    expect_clean_failure(stories({"-p", "0", "-n", "2", "--decode", "chain,hain"}), {"--decode"});
}

// llama-bench's -ctk / -ctv name the K and V cache types apart; akunu has one, so they must agree
// (with --kv-type too); a bad name fails with the API's message.
TEST_F(BenchTool, KvCacheTypeFlags) {
    expect_clean_failure(stories({"-p", "0", "-n", "2", "-ctk", "f16", "-ctv", "f32"}), {"-ctk f16", "-ctv f32", "differ"});
    expect_clean_failure(stories({"-p", "0", "-n", "2", "--kv-type", "f32", "-ctv", "f16"}), {"--kv-type f32", "differ"});
    expect_clean_failure(stories({"-p", "0", "-n", "2", "--kv-type", "q2"}), {"'q2'", "f32 or f16"});
    const ToolResult ok = bench(stories({"-p", "0", "-n", "2", "--backend", "cpu", "-ctk", "f32", "-ctv", "f32"}));
    EXPECT_TRUE(ok.ok()) << ok.describe();
    EXPECT_TRUE(contains(ok.err, "KV f32")) << ok.err;
}

TEST_F(BenchTool, BadBackend) { expect_clean_failure(stories({"--backend", "tpu"}), {"--backend"}); }

TEST_F(BenchTool, NothingToRun) { expect_clean_failure(stories({"-p", "0", "-n", "0"}), {"nothing to run"}); }

TEST_F(BenchTool, NoModel) {
    expect_clean_failure({}, {"MODEL", "Usage"});
    expect_clean_failure({"-p", "8"}, {"MODEL", "Usage"});
}

TEST_F(BenchTool, ModelAndSynthetic) {
    expect_clean_failure({stories_path(), "--synthetic", "tiny"}, {"Usage"});
    expect_clean_failure({"-m", stories_path(), "--synthetic", "tiny"}, {"Usage"});
}

TEST_F(BenchTool, MissingModelFile) {
    expect_clean_failure({"/nonexistent/model.gguf", "--no-peak", "-r", "1", "-p", "4", "-n", "0"},
                         {"/nonexistent/model.gguf"});
}

TEST_F(BenchTool, BadSyntheticPreset) {
    expect_clean_failure({"--synthetic", "no-such-preset", "--no-peak", "-r", "1", "-p", "4", "-n", "0"}, {"no-such-preset"});
}

TEST_F(BenchTool, NotAGgufFile) {
    TempDir dir;
    ASSERT_TRUE(dir.ok());
    write_file(dir.file("junk.gguf"), "this is not a gguf file at all, just text\n");
    expect_clean_failure({dir.file("junk.gguf"), "--no-peak", "-r", "1", "-p", "4", "-n", "0"}, {"junk.gguf"});
}

TEST_F(BenchTool, HelpListsEveryFlag) {
    const ToolResult r = bench({"--help"});
    ASSERT_TRUE(r.ok()) << r.describe();
    for (const char* flag : {"-m,--model", "--synthetic", "-p,--pp", "-n,--tg", "--pg", "-r,--reps", "-d,--depth",
                             "-t,--threads", "--backend", "--decode", "-o,--output", "-c,--ctx", "--compare-llama-bench",
                             "--roofline", "--refresh-peak", "--no-peak"}) {
        EXPECT_TRUE(contains(r.out, flag)) << flag << " missing from --help\n" << r.out;
    }
}

// The report writers on hand-built records: markdown with llama-bench's columns and alignment,
// CSV and JSON that parse back to the same values, one JSON object per JSONL line, SQL with a
// table and one INSERT per record (quotes escaped); and the number formatting they share.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "profile/bench_record.h"
#include "profile/tool_runner.h"

using akunu::BenchRecord;
using akunu::ReportFormat;
using namespace report_parse;

namespace {

// Every field of the JSON/CSV/SQL record, in the order the writers use.
const std::vector<std::string> kFields = {
    "engine",        "build_commit",    "timestamp",  "backend",     "device",          "isa",
    "threads",       "peak_bandwidth_gbs", "peak_bandwidth_source", "model_file", "model_desc",
    "weight_type",   "model_size",      "n_params",   "test",        "n_prompt",        "n_gen",
    "depth",         "reps",            "decode_mode", "max_context", "prefill_chunk",  "chain_chunk",
    "samples_ms",    "samples_ts",      "avg_ts",     "stddev_ts",   "bytes_per_token", "gbs",
    "pct_peak",      "ratio_vs_llama_cpp", "warnings"};

BenchRecord make_pp() {
    BenchRecord r;
    r.build_commit = "abc123def456";
    r.timestamp = "2025-01-02T03:04:05Z";
    r.backend = "CPU";
    r.device = "Test CPU, 2 cores";  // a comma: CSV must quote it
    r.isa = "avx2";
    r.threads = 2;
    r.peak_bandwidth_gbs = 20.5;
    r.peak_bandwidth_source = "measured";
    r.model_file = "/models/a \"b\".gguf";  // quotes: CSV doubles them
    r.model_desc = "llama 7B Q4_0";
    r.weight_type = "Q4_0";
    r.model_size = 3825065984ull;  // 3.56 GiB
    r.n_params = 6738415616ull;    // 6.74 B
    r.test = "pp512";
    r.n_prompt = 512;
    r.reps = 3;
    r.max_context = 1024;
    r.prefill_chunk = 512;
    r.chain_chunk = 64;
    r.samples_ms = {1000.0, 1024.0, 976.0};
    r.samples_ts = {512.0, 500.0, 524.5};
    akunu::mean_stddev(r.samples_ts, &r.mean_ts, &r.stddev_ts);
    return r;
}

BenchRecord make_tg() {
    BenchRecord r = make_pp();
    r.model_desc = "llama 7B Q4_0 o'brien";  // a single quote: SQL doubles it
    r.test = "tg128 @ d16";
    r.n_prompt = 0;
    r.n_gen = 128;
    r.depth = 16;
    r.decode_mode = "chain";
    r.samples_ms = {8000.0, 8100.0, 7900.0};
    r.samples_ts = {16.0, 15.8, 16.2};
    akunu::mean_stddev(r.samples_ts, &r.mean_ts, &r.stddev_ts);
    r.bytes_per_token = 3.9e9;
    r.gbs = r.bytes_per_token * r.mean_ts / 1e9;
    r.pct_peak = 100.0 * r.gbs / r.peak_bandwidth_gbs;
    r.warnings = {"load average 3.1, it's busy", "governor powersave"};
    return r;
}

BenchRecord make_peer(const BenchRecord& ours) {
    BenchRecord p = ours;
    p.engine = "llama.cpp";
    p.decode_mode = "step";
    p.samples_ts = {14.0, 14.5};
    p.samples_ms = {9142.0, 8827.0};
    akunu::mean_stddev(p.samples_ts, &p.mean_ts, &p.stddev_ts);
    p.warnings = {"command: llama-bench -m x"};
    return p;
}

std::string render(ReportFormat f, const std::vector<BenchRecord>& records) {
    std::ostringstream s;
    akunu::write_report(s, f, records);
    return s.str();
}

std::vector<std::string> table_lines(const std::string& md) {
    std::vector<std::string> out;
    for (const std::string& l : tool_test::split_lines(md)) {
        if (!l.empty()) out.push_back(l);
    }
    return out;
}

// Checks the markdown table's shape: header `head`, then the separator row, then one row per
// record; every line the same display width; text columns left-aligned and numeric ones
// right-aligned, with ':' on the right of the numeric separators.
void check_markdown_shape(const std::string& md, const std::vector<std::string>& head,
                          const std::vector<std::string>& numeric, size_t n_records) {
    const std::vector<std::string> lines = table_lines(md);
    ASSERT_EQ(lines.size(), n_records + 2) << md;
    EXPECT_EQ(markdown_cells(lines[0]), head) << lines[0];
    const size_t width = display_width(lines[0]);
    for (const std::string& l : lines) {
        EXPECT_EQ(display_width(l), width) << "ragged table line: " << l << "\n" << md;
    }
    auto is_numeric = [&](const std::string& h) { return std::find(numeric.begin(), numeric.end(), h) != numeric.end(); };
    const std::vector<std::string> sep = markdown_cells(lines[1]);
    ASSERT_EQ(sep.size(), head.size()) << lines[1];
    for (size_t c = 0; c < head.size(); ++c) {
        SCOPED_TRACE("column " + head[c]);
        const std::string& s = sep[c];
        ASSERT_FALSE(s.empty());
        if (is_numeric(head[c])) {
            EXPECT_EQ(s.back(), ':') << "numeric column not right-aligned in the separator: " << lines[1];
            EXPECT_EQ(s.find_first_not_of('-'), s.size() - 1) << s;
        } else {
            EXPECT_EQ(s.find_first_not_of('-'), std::string::npos) << "text column separator: " << s;
        }
    }
    for (size_t r = 2; r < lines.size(); ++r) {
        const std::vector<std::string> raw = markdown_raw_cells(lines[r]);
        ASSERT_EQ(raw.size(), head.size()) << lines[r];
        for (size_t c = 0; c < head.size(); ++c) {
            const std::string& cell = raw[c];
            if (trim(cell).empty()) continue;
            ASSERT_GE(cell.size(), 2u);
            if (is_numeric(head[c])) {
                EXPECT_NE(cell[cell.size() - 2], ' ') << head[c] << " not right-aligned: '" << cell << "'";
            } else {
                EXPECT_NE(cell[1], ' ') << head[c] << " not left-aligned: '" << cell << "'";
            }
        }
    }
}

const std::vector<std::string> kMdHead = {"model", "size", "params", "backend", "threads", "test", "t/s", "GB/s", "% peak"};
const std::vector<std::string> kMdNumeric = {"size", "params", "threads", "test", "t/s", "GB/s", "% peak", "vs llama.cpp"};

}  // namespace

// ---------------------------------------------------------------- number formatting

TEST(BenchFormat, MeanStddev) {
    double m = -1, s = -1;
    akunu::mean_stddev({1, 2, 3, 4}, &m, &s);
    EXPECT_DOUBLE_EQ(m, 2.5);
    EXPECT_NEAR(s, 1.2909944487358056, 1e-12);  // sample stddev, n - 1
    akunu::mean_stddev({5}, &m, &s);
    EXPECT_DOUBLE_EQ(m, 5);
    EXPECT_DOUBLE_EQ(s, 0);
    akunu::mean_stddev({}, &m, &s);
    EXPECT_DOUBLE_EQ(m, 0);
    EXPECT_DOUBLE_EQ(s, 0);
    akunu::mean_stddev({7, 7, 7}, &m, &s);
    EXPECT_DOUBLE_EQ(m, 7);
    EXPECT_DOUBLE_EQ(s, 0);
    akunu::mean_stddev({10, 20}, &m, &s);
    EXPECT_DOUBLE_EQ(m, 15);
    EXPECT_NEAR(s, 7.0710678118654755, 1e-12);
}

TEST(BenchFormat, Size) {
    EXPECT_EQ(akunu::format_size(0), "0.00 MiB");
    EXPECT_EQ(akunu::format_size(1048576), "1.00 MiB");
    EXPECT_EQ(akunu::format_size(327629619), "312.45 MiB");
    EXPECT_EQ(akunu::format_size(1073741824ull), "1.00 GiB");
    EXPECT_EQ(akunu::format_size(4520434156ull), "4.21 GiB");
    EXPECT_EQ(akunu::format_size(3825065984ull), "3.56 GiB");
    EXPECT_EQ(akunu::format_size(1179648), "1.12 MiB");
}

TEST(BenchFormat, Params) {
    EXPECT_EQ(akunu::format_params(596049920ull), "596.05 M");
    EXPECT_EQ(akunu::format_params(8030261248ull), "8.03 B");
    EXPECT_EQ(akunu::format_params(1000000ull), "1.00 M");
    EXPECT_EQ(akunu::format_params(1000000000ull), "1.00 B");
    EXPECT_EQ(akunu::format_params(292352ull), "292.35 K");
    EXPECT_EQ(akunu::format_params(0), "0.00 K");
}

TEST(BenchFormat, ParseFormatNames) {
    ReportFormat f;
    ASSERT_TRUE(akunu::parse_report_format("md", &f));
    EXPECT_EQ(f, ReportFormat::Markdown);
    ASSERT_TRUE(akunu::parse_report_format("csv", &f));
    EXPECT_EQ(f, ReportFormat::Csv);
    ASSERT_TRUE(akunu::parse_report_format("json", &f));
    EXPECT_EQ(f, ReportFormat::Json);
    ASSERT_TRUE(akunu::parse_report_format("jsonl", &f));
    EXPECT_EQ(f, ReportFormat::Jsonl);
    ASSERT_TRUE(akunu::parse_report_format("sql", &f));
    EXPECT_EQ(f, ReportFormat::Sql);
    for (const char* bad : {"", "xml", "MD", "json ", "markdown"}) {
        EXPECT_FALSE(akunu::parse_report_format(bad, &f)) << bad;
    }
}

// ---------------------------------------------------------------- markdown

TEST(BenchReportMarkdown, LlamaBenchColumnsInOrder) {
    const std::string md = render(ReportFormat::Markdown, {make_pp(), make_tg()});
    check_markdown_shape(md, kMdHead, kMdNumeric, 2);
    const std::vector<std::string> lines = table_lines(md);
    // The llama-bench header, then our extra columns.
    EXPECT_EQ(lines[0].rfind("| model", 0), 0u) << lines[0];
    const std::vector<std::string> pp = markdown_cells(lines[2]);
    ASSERT_EQ(pp.size(), kMdHead.size());
    EXPECT_EQ(pp[0], "llama 7B Q4_0");
    EXPECT_EQ(pp[1], "3.56 GiB");
    EXPECT_EQ(pp[2], "6.74 B");
    EXPECT_EQ(pp[3], "CPU");
    EXPECT_EQ(pp[4], "2");
    EXPECT_EQ(pp[5], "pp512");
    const BenchRecord r = make_pp();
    char ts[64];
    std::snprintf(ts, sizeof(ts), "%.2f ± %.2f", r.mean_ts, r.stddev_ts);
    EXPECT_EQ(pp[6], ts);
    EXPECT_EQ(pp[7], "") << "prefill has no GB/s";
    EXPECT_EQ(pp[8], "");
    const std::vector<std::string> tg = markdown_cells(lines[3]);
    ASSERT_EQ(tg.size(), kMdHead.size());
    EXPECT_EQ(tg[0], "llama 7B Q4_0 o'brien");
    EXPECT_EQ(tg[5], "tg128 @ d16");
    const BenchRecord t = make_tg();
    std::snprintf(ts, sizeof(ts), "%.2f ± %.2f", t.mean_ts, t.stddev_ts);
    EXPECT_EQ(tg[6], ts);
    char gbs[32], pct[32];
    std::snprintf(gbs, sizeof(gbs), "%.1f", t.gbs);
    std::snprintf(pct, sizeof(pct), "%.1f%%", t.pct_peak);
    EXPECT_EQ(tg[7], gbs);
    EXPECT_EQ(tg[8], pct);
    EXPECT_EQ(md.find("engine"), std::string::npos) << "no peer rows, no engine column";
    EXPECT_EQ(md.find("vs llama.cpp"), std::string::npos) << "no ratios, no ratio column";
}

TEST(BenchReportMarkdown, EveryRowHasPlusMinus) {
    const std::string md = render(ReportFormat::Markdown, {make_pp(), make_tg(), make_pp()});
    const std::vector<std::string> lines = table_lines(md);
    ASSERT_EQ(lines.size(), 5u);
    for (size_t i = 2; i < lines.size(); ++i) {
        EXPECT_NE(lines[i].find(" ± "), std::string::npos) << lines[i];
    }
}

TEST(BenchReportMarkdown, EmptyRecordListStillHasHeader) {
    const std::string md = render(ReportFormat::Markdown, {});
    const std::vector<std::string> lines = table_lines(md);
    ASSERT_EQ(lines.size(), 2u) << md;
    EXPECT_EQ(markdown_cells(lines[0]), kMdHead);
}

TEST(BenchReportMarkdown, PeersAddEngineAndRatioColumns) {
    BenchRecord ours = make_tg();
    const BenchRecord peer = make_peer(ours);
    ours.ratio = ours.mean_ts / peer.mean_ts;
    const std::string md = render(ReportFormat::Markdown, {ours, peer});
    std::vector<std::string> head = {"engine"};
    head.insert(head.end(), kMdHead.begin(), kMdHead.end());
    head.push_back("vs llama.cpp");
    check_markdown_shape(md, head, kMdNumeric, 2);
    const std::vector<std::string> lines = table_lines(md);
    ASSERT_EQ(lines.size(), 4u);
    const std::vector<std::string> a = markdown_cells(lines[2]), b = markdown_cells(lines[3]);
    ASSERT_EQ(a.size(), head.size());
    ASSERT_EQ(b.size(), head.size());
    EXPECT_EQ(a[0], "akunu");
    EXPECT_EQ(b[0], "llama.cpp");
    char ratio[32];
    std::snprintf(ratio, sizeof(ratio), "%.2fx", ours.ratio);
    EXPECT_EQ(a.back(), ratio);
    EXPECT_EQ(b.back(), "") << "the peer row has no ratio";
}

TEST(BenchReportMarkdown, PeersWithoutRatioHaveNoRatioColumn) {
    const BenchRecord ours = make_pp();
    const std::string md = render(ReportFormat::Markdown, {ours, make_peer(ours)});
    std::vector<std::string> head = {"engine"};
    head.insert(head.end(), kMdHead.begin(), kMdHead.end());
    check_markdown_shape(md, head, kMdNumeric, 2);
}

// ---------------------------------------------------------------- CSV

TEST(BenchReportCsv, ParsesBackWithTheSameValues) {
    const std::vector<BenchRecord> recs = {make_pp(), make_tg(), make_peer(make_tg())};
    const std::string csv = render(ReportFormat::Csv, recs);
    std::string err;
    const Table t = parse_csv(csv, &err);
    ASSERT_TRUE(err.empty()) << err << "\n" << csv;
    ASSERT_EQ(t.size(), recs.size() + 1) << csv;
    EXPECT_EQ(t[0], kFields);
    for (const auto& row : t) {
        EXPECT_EQ(row.size(), kFields.size()) << "ragged CSV row";
    }
    auto col = [&](const std::string& name) {
        return (size_t)(std::find(kFields.begin(), kFields.end(), name) - kFields.begin());
    };
    for (size_t i = 0; i < recs.size(); ++i) {
        SCOPED_TRACE("record " + std::to_string(i));
        const BenchRecord& r = recs[i];
        const std::vector<std::string>& row = t[i + 1];
        ASSERT_EQ(row.size(), kFields.size());
        EXPECT_EQ(row[col("engine")], r.engine);
        EXPECT_EQ(row[col("build_commit")], r.build_commit);
        EXPECT_EQ(row[col("timestamp")], r.timestamp);
        EXPECT_EQ(row[col("backend")], r.backend);
        EXPECT_EQ(row[col("device")], r.device);
        EXPECT_EQ(row[col("isa")], r.isa);
        EXPECT_EQ(row[col("threads")], std::to_string(r.threads));
        EXPECT_DOUBLE_EQ(std::stod(row[col("peak_bandwidth_gbs")]), r.peak_bandwidth_gbs);
        EXPECT_EQ(row[col("peak_bandwidth_source")], r.peak_bandwidth_source);
        EXPECT_EQ(row[col("model_file")], r.model_file);
        EXPECT_EQ(row[col("model_desc")], r.model_desc);
        EXPECT_EQ(row[col("weight_type")], r.weight_type);
        EXPECT_EQ(row[col("model_size")], std::to_string(r.model_size));
        EXPECT_EQ(row[col("n_params")], std::to_string(r.n_params));
        EXPECT_EQ(row[col("test")], r.test);
        EXPECT_EQ(row[col("n_prompt")], std::to_string(r.n_prompt));
        EXPECT_EQ(row[col("n_gen")], std::to_string(r.n_gen));
        EXPECT_EQ(row[col("depth")], std::to_string(r.depth));
        EXPECT_EQ(row[col("reps")], std::to_string(r.reps));
        EXPECT_EQ(row[col("decode_mode")], r.decode_mode);
        EXPECT_EQ(row[col("max_context")], std::to_string(r.max_context));
        EXPECT_EQ(row[col("prefill_chunk")], std::to_string(r.prefill_chunk));
        EXPECT_EQ(row[col("chain_chunk")], std::to_string(r.chain_chunk));
        EXPECT_NEAR(std::stod(row[col("avg_ts")]), r.mean_ts, 1e-9 * r.mean_ts);
        EXPECT_NEAR(std::stod(row[col("stddev_ts")]), r.stddev_ts, 1e-9 * r.mean_ts);
        EXPECT_NEAR(std::stod(row[col("gbs")]), r.gbs, 1e-9 + 1e-9 * r.gbs);
        EXPECT_NEAR(std::stod(row[col("pct_peak")]), r.pct_peak, 1e-9 + 1e-9 * r.pct_peak);
        // Sample arrays: values joined by ';'.
        for (const auto& [name, want] : {std::make_pair(std::string("samples_ms"), r.samples_ms),
                                         std::make_pair(std::string("samples_ts"), r.samples_ts)}) {
            std::vector<double> got;
            std::stringstream ss(row[col(name)]);
            std::string item;
            while (std::getline(ss, item, ';')) got.push_back(std::stod(item));
            ASSERT_EQ(got.size(), want.size()) << name << ": " << row[col(name)];
            for (size_t k = 0; k < got.size(); ++k) {
                EXPECT_DOUBLE_EQ(got[k], want[k]) << name << "[" << k << "]";
            }
        }
        std::string warnings;
        for (size_t k = 0; k < r.warnings.size(); ++k) warnings += (k ? ";" : "") + r.warnings[k];
        EXPECT_EQ(row[col("warnings")], warnings);
    }
}

TEST(BenchReportCsv, HeaderOnlyForNoRecords) {
    const Table t = parse_csv(render(ReportFormat::Csv, {}));
    ASSERT_EQ(t.size(), 1u);
    EXPECT_EQ(t[0], kFields);
}

TEST(BenchReportCsv, NewlineInAFieldIsQuoted) {
    BenchRecord r = make_pp();
    r.device = "line one\nline two";
    std::string err;
    const Table t = parse_csv(render(ReportFormat::Csv, {r}), &err);
    ASSERT_TRUE(err.empty()) << err;
    ASSERT_EQ(t.size(), 2u);
    EXPECT_EQ(t[1][4], "line one\nline two");
}

// ---------------------------------------------------------------- JSON and JSONL

namespace {

void check_json_record(nlohmann::json j, const BenchRecord& r) {  // a copy: operator[] of a missing key
    ASSERT_TRUE(j.is_object()) << j.dump();
    std::vector<std::string> keys;
    for (auto it = j.begin(); it != j.end(); ++it) keys.push_back(it.key());
    std::vector<std::string> want = kFields;
    std::sort(want.begin(), want.end());
    std::sort(keys.begin(), keys.end());
    EXPECT_EQ(keys, want);
    EXPECT_EQ(j["engine"], r.engine);
    EXPECT_EQ(j["build_commit"], r.build_commit);
    EXPECT_EQ(j["timestamp"], r.timestamp);
    EXPECT_EQ(j["backend"], r.backend);
    EXPECT_EQ(j["device"], r.device);
    EXPECT_EQ(j["isa"], r.isa);
    EXPECT_EQ(j["threads"], r.threads);
    EXPECT_EQ(j["peak_bandwidth_gbs"], r.peak_bandwidth_gbs);
    EXPECT_EQ(j["peak_bandwidth_source"], r.peak_bandwidth_source);
    EXPECT_EQ(j["model_file"], r.model_file);
    EXPECT_EQ(j["model_desc"], r.model_desc);
    EXPECT_EQ(j["weight_type"], r.weight_type);
    EXPECT_EQ(j["model_size"], r.model_size);
    EXPECT_EQ(j["n_params"], r.n_params);
    EXPECT_EQ(j["test"], r.test);
    EXPECT_EQ(j["n_prompt"], r.n_prompt);
    EXPECT_EQ(j["n_gen"], r.n_gen);
    EXPECT_EQ(j["depth"], r.depth);
    EXPECT_EQ(j["reps"], r.reps);
    EXPECT_EQ(j["decode_mode"], r.decode_mode);
    EXPECT_EQ(j["max_context"], r.max_context);
    EXPECT_EQ(j["prefill_chunk"], r.prefill_chunk);
    EXPECT_EQ(j["chain_chunk"], r.chain_chunk);
    ASSERT_TRUE(j["samples_ms"].is_array());
    ASSERT_TRUE(j["samples_ts"].is_array());
    EXPECT_EQ(j["samples_ms"].get<std::vector<double>>(), r.samples_ms);
    EXPECT_EQ(j["samples_ts"].get<std::vector<double>>(), r.samples_ts);
    EXPECT_DOUBLE_EQ(j["avg_ts"].get<double>(), r.mean_ts);
    EXPECT_DOUBLE_EQ(j["stddev_ts"].get<double>(), r.stddev_ts);
    EXPECT_DOUBLE_EQ(j["bytes_per_token"].get<double>(), r.bytes_per_token);
    EXPECT_DOUBLE_EQ(j["gbs"].get<double>(), r.gbs);
    EXPECT_DOUBLE_EQ(j["pct_peak"].get<double>(), r.pct_peak);
    EXPECT_DOUBLE_EQ(j["ratio_vs_llama_cpp"].get<double>(), r.ratio);
    ASSERT_TRUE(j["warnings"].is_array());
    EXPECT_EQ(j["warnings"].get<std::vector<std::string>>(), r.warnings);
}

}  // namespace

TEST(BenchReportJson, ArrayOfRecordsWithEveryField) {
    BenchRecord ours = make_tg();
    const BenchRecord peer = make_peer(ours);
    ours.ratio = ours.mean_ts / peer.mean_ts;
    const std::vector<BenchRecord> recs = {make_pp(), ours, peer};
    const std::string text = render(ReportFormat::Json, recs);
    nlohmann::json j;
    ASSERT_NO_THROW(j = nlohmann::json::parse(text)) << text;
    ASSERT_TRUE(j.is_array());
    ASSERT_EQ(j.size(), recs.size());
    for (size_t i = 0; i < recs.size(); ++i) {
        SCOPED_TRACE("record " + std::to_string(i));
        check_json_record(j[i], recs[i]);
    }
}

TEST(BenchReportJson, EmptyListIsAnEmptyArray) {
    const nlohmann::json j = nlohmann::json::parse(render(ReportFormat::Json, {}));
    ASSERT_TRUE(j.is_array());
    EXPECT_TRUE(j.empty());
}

TEST(BenchReportJsonl, OneObjectPerLine) {
    const std::vector<BenchRecord> recs = {make_pp(), make_tg(), make_peer(make_pp())};
    const std::string text = render(ReportFormat::Jsonl, recs);
    ASSERT_FALSE(text.empty());
    EXPECT_EQ(text.back(), '\n');
    const std::vector<std::string> lines = tool_test::split_lines(text);
    ASSERT_EQ(lines.size(), recs.size()) << text;
    for (size_t i = 0; i < lines.size(); ++i) {
        SCOPED_TRACE("line " + std::to_string(i));
        nlohmann::json j;
        ASSERT_NO_THROW(j = nlohmann::json::parse(lines[i])) << lines[i];
        check_json_record(j, recs[i]);
    }
    EXPECT_TRUE(render(ReportFormat::Jsonl, {}).empty());
}

// ---------------------------------------------------------------- SQL

TEST(BenchReportSql, CreateTableAndOneInsertPerRecord) {
    const std::vector<BenchRecord> recs = {make_pp(), make_tg(), make_peer(make_tg())};
    const std::string sql = render(ReportFormat::Sql, recs);
    const std::vector<std::string> lines = tool_test::split_lines(sql);
    // CREATE TABLE with every field as a column, typed.
    ASSERT_FALSE(lines.empty());
    EXPECT_EQ(lines[0], "CREATE TABLE IF NOT EXISTS akunu_bench (");
    size_t i = 1;
    std::vector<std::string> cols;
    for (; i < lines.size() && lines[i] != ");"; ++i) {
        std::string l = trim(lines[i]);
        if (!l.empty() && l.back() == ',') l.pop_back();
        const size_t sp = l.find(' ');
        ASSERT_NE(sp, std::string::npos) << lines[i];
        cols.push_back(l.substr(0, sp));
        const std::string type = l.substr(sp + 1);
        EXPECT_TRUE(type == "TEXT" || type == "REAL" || type == "INTEGER") << lines[i];
        if (cols.back() == "model_desc" || cols.back() == "samples_ms") {
            EXPECT_EQ(type, "TEXT");
        }
        if (cols.back() == "threads" || cols.back() == "model_size") {
            EXPECT_EQ(type, "INTEGER");
        }
        if (cols.back() == "avg_ts") {
            EXPECT_EQ(type, "REAL");
        }
    }
    EXPECT_EQ(cols, kFields);
    ASSERT_LT(i, lines.size()) << "CREATE TABLE not closed";
    ++i;
    std::vector<std::string> inserts;
    for (; i < lines.size(); ++i) {
        if (!lines[i].empty()) inserts.push_back(lines[i]);
    }
    ASSERT_EQ(inserts.size(), recs.size()) << sql;
    for (size_t k = 0; k < inserts.size(); ++k) {
        SCOPED_TRACE(inserts[k]);
        std::vector<std::string> names, values;
        std::vector<bool> str;
        std::string err;
        ASSERT_TRUE(parse_sql_insert(inserts[k], &names, &values, &str, &err)) << err;
        EXPECT_EQ(inserts[k].rfind("INSERT INTO akunu_bench (", 0), 0u);
        EXPECT_EQ(names, kFields);
        ASSERT_EQ(values.size(), kFields.size());
        auto v = [&](const std::string& name) {
            return values[(size_t)(std::find(kFields.begin(), kFields.end(), name) - kFields.begin())];
        };
        EXPECT_EQ(v("model_desc"), recs[k].model_desc);
        EXPECT_EQ(v("device"), recs[k].device);
        EXPECT_EQ(v("model_file"), recs[k].model_file);
        EXPECT_EQ(v("test"), recs[k].test);
        EXPECT_EQ(v("engine"), recs[k].engine);
        EXPECT_EQ(v("threads"), std::to_string(recs[k].threads));
        EXPECT_EQ(v("n_params"), std::to_string(recs[k].n_params));
        EXPECT_DOUBLE_EQ(std::stod(v("avg_ts")), recs[k].mean_ts);
        // Arrays are stored as JSON text.
        const nlohmann::json samples = nlohmann::json::parse(v("samples_ts"));
        EXPECT_EQ(samples.get<std::vector<double>>(), recs[k].samples_ts);
        const nlohmann::json warnings = nlohmann::json::parse(v("warnings"));
        EXPECT_EQ(warnings.get<std::vector<std::string>>(), recs[k].warnings);
    }
    // The single quote is doubled in the statement text itself.
    EXPECT_NE(sql.find("'llama 7B Q4_0 o''brien'"), std::string::npos) << sql;
    EXPECT_NE(sql.find("it''s busy"), std::string::npos) << sql;
}

// When the sqlite3 shell is installed, the statements must also run.
TEST(BenchReportSql, RunsInSqlite) {
    if (!tool_test::is_executable("/usr/bin/sqlite3")) GTEST_SKIP() << "no /usr/bin/sqlite3";
    tool_test::TempDir dir;
    ASSERT_TRUE(dir.ok());
    const std::vector<BenchRecord> recs = {make_pp(), make_tg()};
    const std::string sql = render(ReportFormat::Sql, recs) + render(ReportFormat::Sql, {make_peer(make_tg())});
    tool_test::write_file(dir.file("in.sql"), sql + "SELECT count(*) || '|' || sum(n_gen) FROM akunu_bench;\n"
                                                    "SELECT model_desc FROM akunu_bench WHERE engine = 'akunu' AND n_gen > 0;\n");
    const std::string cmd = "/usr/bin/sqlite3 :memory: < '" + dir.file("in.sql") + "' > '" + dir.file("out.txt") + "' 2>&1";
    ASSERT_EQ(std::system(cmd.c_str()), 0) << tool_test::read_file(dir.file("out.txt"));
    EXPECT_EQ(tool_test::read_file(dir.file("out.txt")), "3|256\nllama 7B Q4_0 o'brien\n");
}

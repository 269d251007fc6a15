// Report writers for benchmark records. Markdown keeps llama-bench's columns first so rows paste
// next to its output; the extra columns (GB/s, % of peak, ratio) come after.
#include <algorithm>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <sstream>

#include "profile/bench_record.h"

namespace akunu {
namespace {

std::string fmt(const char* f, double v) {
    char buf[64];
    std::snprintf(buf, sizeof(buf), f, v);
    return buf;
}

nlohmann::ordered_json to_json(const BenchRecord& r) {
    nlohmann::ordered_json j;
    j["engine"] = r.engine;
    j["build_commit"] = r.build_commit;
    j["timestamp"] = r.timestamp;
    j["backend"] = r.backend;
    j["device"] = r.device;
    j["isa"] = r.isa;
    j["threads"] = r.threads;
    j["peak_bandwidth_gbs"] = r.peak_bandwidth_gbs;
    j["peak_bandwidth_source"] = r.peak_bandwidth_source;
    j["model_file"] = r.model_file;
    j["model_desc"] = r.model_desc;
    j["weight_type"] = r.weight_type;
    j["model_size"] = r.model_size;
    j["n_params"] = r.n_params;
    j["test"] = r.test;
    j["n_prompt"] = r.n_prompt;
    j["n_gen"] = r.n_gen;
    j["depth"] = r.depth;
    j["reps"] = r.reps;
    j["decode_mode"] = r.decode_mode;
    j["max_context"] = r.max_context;
    j["prefill_chunk"] = r.prefill_chunk;
    j["chain_chunk"] = r.chain_chunk;
    j["samples_ms"] = r.samples_ms;
    j["samples_ts"] = r.samples_ts;
    j["avg_ts"] = r.mean_ts;
    j["stddev_ts"] = r.stddev_ts;
    j["bytes_per_token"] = r.bytes_per_token;
    j["gbs"] = r.gbs;
    j["pct_peak"] = r.pct_peak;
    j["ratio_vs_llama_cpp"] = r.ratio;
    j["warnings"] = r.warnings;
    return j;
}

void write_markdown(std::ostream& out, const std::vector<BenchRecord>& records) {
    const bool peers = std::any_of(records.begin(), records.end(), [](const BenchRecord& r) { return r.engine != "akunu"; });
    const bool ratios = std::any_of(records.begin(), records.end(), [](const BenchRecord& r) { return r.ratio > 0; });
    std::vector<std::vector<std::string>> rows;
    std::vector<std::string> head;
    if (peers) head.push_back("engine");
    for (const char* h : {"model", "size", "params", "backend", "threads", "test", "t/s", "GB/s", "% peak"}) head.push_back(h);
    if (ratios) head.push_back("vs llama.cpp");
    rows.push_back(head);
    for (const BenchRecord& r : records) {
        std::vector<std::string> row;
        if (peers) row.push_back(r.engine);
        row.push_back(r.model_desc);
        row.push_back(format_size(r.model_size));
        row.push_back(format_params(r.n_params));
        row.push_back(r.backend);
        row.push_back(std::to_string(r.threads));
        row.push_back(r.test);
        row.push_back(fmt("%.2f", r.mean_ts) + " ± " + fmt("%.2f", r.stddev_ts));
        row.push_back(r.gbs > 0 ? fmt("%.1f", r.gbs) : "");
        row.push_back(r.pct_peak > 0 ? fmt("%.1f%%", r.pct_peak) : "");
        if (ratios) row.push_back(r.ratio > 0 ? fmt("%.2fx", r.ratio) : "");
        rows.push_back(row);
    }
    // Left-align text columns and right-align numbers, as llama-bench does.
    // "±" is two bytes but one column.
    auto display_width = [](const std::string& s) {
        size_t w = s.size();
        for (size_t i = 0; i + 1 < s.size(); ++i) {
            if ((unsigned char)s[i] == 0xC2 && (unsigned char)s[i + 1] == 0xB1) --w;
        }
        return w;
    };
    std::vector<size_t> width(head.size(), 0);
    for (const auto& row : rows) {
        for (size_t c = 0; c < row.size(); ++c) width[c] = std::max(width[c], display_width(row[c]));
    }
    auto numeric = [&](size_t c) {
        const std::string& h = head[c];
        return h == "size" || h == "params" || h == "threads" || h == "test" || h == "t/s" || h == "GB/s" ||
               h == "% peak" || h == "vs llama.cpp";
    };
    for (size_t r = 0; r < rows.size(); ++r) {
        out << "|";
        for (size_t c = 0; c < rows[r].size(); ++c) {
            const std::string& cell = rows[r][c];
            const std::string pad(width[c] - display_width(cell), ' ');
            out << " " << (numeric(c) && r > 0 ? pad + cell : cell + pad) << " |";
        }
        out << "\n";
        if (r == 0) {
            out << "|";
            for (size_t c = 0; c < head.size(); ++c) {
                out << " " << std::string(width[c] - (numeric(c) ? 1 : 0), '-') << (numeric(c) ? ":" : "") << " |";
            }
            out << "\n";
        }
    }
}

std::string csv_escape(const std::string& s) {
    if (s.find_first_of(",\"\r\n") == std::string::npos) return s;
    std::string out = "\"";
    for (char c : s) {
        if (c == '"') out += '"';
        out += c;
    }
    return out + "\"";
}

void write_csv(std::ostream& out, const std::vector<BenchRecord>& records) {
    nlohmann::ordered_json proto = to_json(BenchRecord{});
    bool first = true;
    for (auto it = proto.begin(); it != proto.end(); ++it) {
        out << (first ? "" : ",") << it.key();
        first = false;
    }
    out << "\n";
    for (const BenchRecord& r : records) {
        const nlohmann::ordered_json j = to_json(r);
        first = true;
        for (auto it = j.begin(); it != j.end(); ++it) {
            out << (first ? "" : ",");
            first = false;
            const auto& v = it.value();
            if (v.is_string()) {
                out << csv_escape(v.get<std::string>());
            } else if (v.is_array()) {
                std::string cell;
                for (size_t i = 0; i < v.size(); ++i) {
                    cell += (i ? ";" : "") + (v[i].is_string() ? v[i].get<std::string>() : v[i].dump());
                }
                out << csv_escape(cell);
            } else {
                out << v.dump();
            }
        }
        out << "\n";
    }
}

std::string sql_quote(const std::string& s) {
    std::string out = "'";
    for (char c : s) {
        if (c == '\'') out += '\'';
        out += c;
    }
    return out + "'";
}

void write_sql(std::ostream& out, const std::vector<BenchRecord>& records) {
    const nlohmann::ordered_json proto = to_json(BenchRecord{});
    out << "CREATE TABLE IF NOT EXISTS akunu_bench (\n";
    bool first = true;
    for (auto it = proto.begin(); it != proto.end(); ++it) {
        const auto& v = it.value();
        const char* type = v.is_string() || v.is_array() ? "TEXT" : (v.is_number_float() ? "REAL" : "INTEGER");
        out << (first ? "  " : ",\n  ") << it.key() << " " << type;
        first = false;
    }
    out << "\n);\n";
    for (const BenchRecord& r : records) {
        const nlohmann::ordered_json j = to_json(r);
        out << "INSERT INTO akunu_bench (";
        first = true;
        for (auto it = j.begin(); it != j.end(); ++it) {
            out << (first ? "" : ", ") << it.key();
            first = false;
        }
        out << ") VALUES (";
        first = true;
        for (auto it = j.begin(); it != j.end(); ++it) {
            out << (first ? "" : ", ");
            first = false;
            const auto& v = it.value();
            out << (v.is_string() ? sql_quote(v.get<std::string>()) : v.is_array() ? sql_quote(v.dump()) : v.dump());
        }
        out << ");\n";
    }
}

}  // namespace

bool parse_report_format(const std::string& name, ReportFormat* out) {
    if (name == "md") *out = ReportFormat::Markdown;
    else if (name == "csv") *out = ReportFormat::Csv;
    else if (name == "json") *out = ReportFormat::Json;
    else if (name == "jsonl") *out = ReportFormat::Jsonl;
    else if (name == "sql") *out = ReportFormat::Sql;
    else return false;
    return true;
}

void write_report(std::ostream& out, ReportFormat format, const std::vector<BenchRecord>& records) {
    switch (format) {
        case ReportFormat::Markdown: write_markdown(out, records); break;
        case ReportFormat::Csv: write_csv(out, records); break;
        case ReportFormat::Json: {
            nlohmann::ordered_json arr = nlohmann::ordered_json::array();
            for (const BenchRecord& r : records) arr.push_back(to_json(r));
            out << arr.dump(2) << "\n";
            break;
        }
        case ReportFormat::Jsonl:
            for (const BenchRecord& r : records) out << to_json(r).dump() << "\n";
            break;
        case ReportFormat::Sql: write_sql(out, records); break;
    }
}

}  // namespace akunu

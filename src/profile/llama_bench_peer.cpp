#include "profile/llama_bench_peer.h"

#include <sys/wait.h>

#include <cstdio>
#include <nlohmann/json.hpp>

#include "core/error.h"

namespace akunu {
namespace {

std::string shell_quote(const std::string& s) {
    std::string out = "'";
    for (char c : s) {
        if (c == '\'') {
            out += "'\\''";
        } else {
            out += c;
        }
    }
    return out + "'";
}

}  // namespace

std::string llama_bench_command(const PeerSettings& s, const BenchTest& t) {
    std::string cmd = shell_quote(s.executable) + " -m " + shell_quote(s.model_path) + " -r " + std::to_string(s.reps) +
                      " -o jsonl";
    if (s.threads > 0) cmd += " -t " + std::to_string(s.threads);
    cmd += s.gpu ? " -ngl 99 -fa 1" : " -ngl 0";
    if (!s.kv_type.empty()) cmd += " -ctk " + shell_quote(s.kv_type) + " -ctv " + shell_quote(s.kv_type);
    if (t.n_prompt > 0 && t.n_gen > 0) {
        cmd += " -p 0 -n 0 -pg " + std::to_string(t.n_prompt) + "," + std::to_string(t.n_gen);
    } else {
        cmd += " -p " + std::to_string(t.n_prompt) + " -n " + std::to_string(t.n_gen);
    }
    if (t.depth > 0) cmd += " -d " + std::to_string(t.depth);
    return cmd;
}

BenchRecord run_llama_bench(const PeerSettings& s, const BenchTest& t) {
    const std::string cmd = llama_bench_command(s, t);
    FILE* p = ::popen((cmd + " 2>/dev/null").c_str(), "r");
    if (!p) fail(ErrorKind::Io, "llama-bench", "cannot run " + cmd);
    std::string output;
    char buf[4096];
    size_t n;
    while ((n = std::fread(buf, 1, sizeof(buf), p)) > 0) output.append(buf, n);
    const int status = ::pclose(p);
    if (status != 0) {
        fail(ErrorKind::Io, "llama-bench",
             "'" + cmd + "' exited with status " + std::to_string(WIFEXITED(status) ? WEXITSTATUS(status) : -1));
    }
    size_t start = 0;
    while (start < output.size()) {
        size_t end = output.find('\n', start);
        if (end == std::string::npos) end = output.size();
        const std::string line = output.substr(start, end - start);
        start = end + 1;
        if (line.empty() || line[0] != '{') continue;
        nlohmann::json j;
        try {
            j = nlohmann::json::parse(line);
        } catch (const std::exception& e) {
            fail(ErrorKind::Format, "llama-bench", "unparsable output line: " + line.substr(0, 120));
        }
        BenchRecord r;
        r.engine = "llama.cpp";
        r.build_commit = j.value("build_commit", std::string());
        r.timestamp = j.value("test_time", std::string());
        r.backend = j.value("backends", std::string());
        r.device = j.value("gpu_info", std::string());
        if (r.device.empty()) r.device = j.value("cpu_info", std::string());
        r.threads = j.value("n_threads", 0);
        r.model_file = s.model_path;
        r.model_desc = j.value("model_type", std::string());
        r.model_size = j.value("model_size", (uint64_t)0);
        r.n_params = j.value("model_n_params", (uint64_t)0);
        r.test = test_name(t);
        r.n_prompt = t.n_prompt;
        r.n_gen = t.n_gen;
        r.depth = t.depth;
        r.reps = s.reps;
        r.decode_mode = t.n_gen > 0 ? "step" : "";
        r.mean_ts = j.value("avg_ts", 0.0);
        r.stddev_ts = j.value("stddev_ts", 0.0);
        if (j.contains("samples_ts") && j["samples_ts"].is_array()) {
            for (const auto& v : j["samples_ts"]) r.samples_ts.push_back(v.get<double>());
        }
        if (j.contains("samples_ns") && j["samples_ns"].is_array()) {
            for (const auto& v : j["samples_ns"]) r.samples_ms.push_back(v.get<double>() / 1e6);
        }
        r.warnings.push_back("command: " + cmd);
        return r;
    }
    fail(ErrorKind::Format, "llama-bench", "no JSON result in the output of '" + cmd + "'");
}

}  // namespace akunu

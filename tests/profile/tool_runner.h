// Runs a tool binary (akunu_bench, akunu_profile, akunu) with arguments and captures its stdout,
// stderr and exit status, so the tools' tests can check what a user sees. No shell is involved:
// arguments reach the tool exactly as given. Also small helpers the tools' tests share: a
// temporary directory, file reading and writing, line splitting, and parsers that read the
// reports back: CSV (RFC 4180 quoting), markdown tables, SQL INSERT value tuples.
#pragma once

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace tool_test {

inline std::string tools_dir() { return AKUNU_TOOLS_DIR; }
inline std::string tool_path(const std::string& name) { return tools_dir() + "/" + name; }
inline std::string shared_path(const std::string& rel) { return std::string(AKUNU_SHARED_DIR) + "/" + rel; }
inline std::string stories_path() { return shared_path("models/stories260K.gguf"); }

inline bool file_exists(const std::string& path) {
    struct stat st;
    return ::stat(path.c_str(), &st) == 0;
}

inline bool is_executable(const std::string& path) { return ::access(path.c_str(), X_OK) == 0; }

inline std::string read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

inline void write_file(const std::string& path, const std::string& text, bool executable = false) {
    {
        std::ofstream out(path, std::ios::binary | std::ios::trunc);
        out << text;
    }
    if (executable) ::chmod(path.c_str(), 0755);
}

inline std::vector<std::string> split_lines(const std::string& s) {
    std::vector<std::string> out;
    std::string line;
    std::istringstream in(s);
    while (std::getline(in, line)) {
        if (!line.empty() && line.back() == '\r') line.pop_back();
        out.push_back(line);
    }
    return out;
}

inline std::string trim(const std::string& s) {
    const size_t a = s.find_first_not_of(" \t");
    if (a == std::string::npos) return "";
    const size_t b = s.find_last_not_of(" \t");
    return s.substr(a, b - a + 1);
}

// The 1-minute load average, for messages of timing tests (-1 if unknown).
inline double load_average() {
    std::ifstream in("/proc/loadavg");
    double l = -1;
    in >> l;
    return l;
}

inline bool contains(const std::string& hay, const std::string& needle) { return hay.find(needle) != std::string::npos; }

// A fresh directory under $TMPDIR (or /tmp), removed with everything in it on destruction.
class TempDir {
public:
    TempDir() {
        const char* t = std::getenv("TMPDIR");
        std::string tmpl = std::string(t && *t ? t : "/tmp") + "/akunu-tooltest-XXXXXX";
        std::vector<char> buf(tmpl.begin(), tmpl.end());
        buf.push_back('\0');
        if (::mkdtemp(buf.data()) != nullptr) path_ = buf.data();
    }
    ~TempDir() {
        if (!path_.empty()) {
            std::error_code ec;
            std::filesystem::remove_all(path_, ec);
        }
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;

    bool ok() const { return !path_.empty(); }
    const std::string& path() const { return path_; }
    std::string file(const std::string& name) const { return path_ + "/" + name; }

private:
    std::string path_;
};

struct ToolResult {
    int exit_code = -1;   // the exit status when the tool exited normally
    int signal = 0;       // the signal that killed it (0: none)
    bool timed_out = false;
    bool started = false;
    std::string out;
    std::string err;
    std::string command;  // for failure messages

    // Exited by itself, not by a signal (a crash or abort) and not by our timeout.
    bool exited() const { return started && !timed_out && signal == 0 && exit_code >= 0; }
    bool ok() const { return exited() && exit_code == 0; }

    // For EXPECT messages.
    std::string describe() const {
        std::ostringstream s;
        s << "command: " << command << "\n";
        if (!started) s << "(could not start)\n";
        if (timed_out) s << "(timed out)\n";
        if (signal) s << "(killed by signal " << signal << ": " << strsignal(signal) << ")\n";
        else s << "exit code " << exit_code << "\n";
        s << "--- stdout ---\n" << out.substr(0, 6000) << "\n--- stderr ---\n" << err.substr(0, 6000);
        return s.str();
    }
};

// Runs `tools_dir()/tool args...` (or `tool` itself when it contains a '/') with the environment
// of this process plus `env` (NAME, VALUE); an empty VALUE removes NAME. stdin is /dev/null.
// Unless `env` says otherwise, AKUNU_CACHE_DIR points into a private temporary directory, so no
// test reads or writes the user's cached peak bandwidth. Killed after `timeout_s` seconds.
inline ToolResult run_tool(const std::string& tool, const std::vector<std::string>& args,
                           const std::vector<std::pair<std::string, std::string>>& env = {}, int timeout_s = 300) {
    ToolResult r;
    const std::string exe = tool.find('/') != std::string::npos ? tool : tool_path(tool);
    r.command = exe;
    for (const std::string& a : args) r.command += " '" + a + "'";

    TempDir io;
    if (!io.ok()) return r;
    const std::string out_path = io.file("stdout"), err_path = io.file("stderr");
    const std::string cache_dir = io.file("cache");

    // Build argv and envp before fork: only async-signal-safe calls in the child.
    std::vector<std::string> argv_s{exe};
    argv_s.insert(argv_s.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (std::string& s : argv_s) argv.push_back(s.data());
    argv.push_back(nullptr);

    std::vector<std::pair<std::string, std::string>> vars = env;
    bool cache_set = false;
    for (const auto& [k, v] : env) cache_set |= k == "AKUNU_CACHE_DIR";
    if (!cache_set) vars.push_back({"AKUNU_CACHE_DIR", cache_dir});
    std::vector<std::string> env_s;
    for (char** e = ::environ; *e; ++e) {  // declared by <unistd.h> (g++ defines _GNU_SOURCE)
        const std::string kv = *e;
        const std::string name = kv.substr(0, kv.find('='));
        bool overridden = false;
        for (const auto& [k, v] : vars) overridden |= k == name;
        if (!overridden) env_s.push_back(kv);
    }
    for (const auto& [k, v] : vars) {
        if (!v.empty()) env_s.push_back(k + "=" + v);
    }
    std::vector<char*> envp;
    for (std::string& s : env_s) envp.push_back(s.data());
    envp.push_back(nullptr);

    const int out_fd = ::open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    const int err_fd = ::open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    const int in_fd = ::open("/dev/null", O_RDONLY);
    if (out_fd < 0 || err_fd < 0 || in_fd < 0) return r;

    const pid_t pid = ::fork();
    if (pid == 0) {
        ::dup2(in_fd, 0);
        ::dup2(out_fd, 1);
        ::dup2(err_fd, 2);
        ::execve(exe.c_str(), argv.data(), envp.data());
        _exit(127);
    }
    ::close(out_fd);
    ::close(err_fd);
    ::close(in_fd);
    if (pid < 0) return r;
    r.started = true;

    int status = 0;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeout_s);
    for (;;) {
        const pid_t w = ::waitpid(pid, &status, WNOHANG);
        if (w == pid) break;
        if (w < 0) {
            r.started = false;
            break;
        }
        if (std::chrono::steady_clock::now() > deadline) {
            ::kill(pid, SIGKILL);
            ::waitpid(pid, &status, 0);
            r.timed_out = true;
            break;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    if (WIFEXITED(status)) r.exit_code = WEXITSTATUS(status);
    if (WIFSIGNALED(status)) r.signal = WTERMSIG(status);
    r.out = read_file(out_path);
    r.err = read_file(err_path);
    return r;
}

}  // namespace tool_test

// Parsers the report tests use to read the tools' output back.
namespace report_parse {

using Table = std::vector<std::vector<std::string>>;

// CSV: fields separated by ',', a field in double quotes may hold ',', '"' (doubled) and newlines.
// Sets *error (when given) and returns what it has on an unterminated quote or a quote in the
// middle of an unquoted field.
inline Table parse_csv(const std::string& text, std::string* error = nullptr) {
    Table rows;
    std::vector<std::string> row;
    std::string field;
    bool in_quotes = false, quoted = false, any = false;
    auto end_field = [&] {
        row.push_back(field);
        field.clear();
        quoted = false;
    };
    auto end_row = [&] {
        end_field();
        rows.push_back(row);
        row.clear();
        any = false;
    };
    for (size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (in_quotes) {
            if (c == '"') {
                if (i + 1 < text.size() && text[i + 1] == '"') {
                    field += '"';
                    ++i;
                } else {
                    in_quotes = false;
                }
            } else {
                field += c;
            }
            continue;
        }
        if (c == '"') {
            if (!field.empty() || quoted) {
                if (error) *error = "quote inside an unquoted field at byte " + std::to_string(i);
                return rows;
            }
            in_quotes = quoted = any = true;
        } else if (c == ',') {
            end_field();
            any = true;
        } else if (c == '\n') {
            end_row();
        } else if (c == '\r') {
            // tolerated before '\n'
        } else {
            if (quoted) {
                if (error) *error = "text after a closing quote at byte " + std::to_string(i);
                return rows;
            }
            field += c;
            any = true;
        }
    }
    if (in_quotes) {
        if (error) *error = "unterminated quoted field";
        return rows;
    }
    if (any || !field.empty()) end_row();
    return rows;
}

inline std::string trim(const std::string& s) {
    const size_t a = s.find_first_not_of(' ');
    if (a == std::string::npos) return "";
    return s.substr(a, s.find_last_not_of(' ') - a + 1);
}

// The raw cells of one markdown table line "| a | b |" (untrimmed, without the outer bars);
// empty if the line is not a table row.
inline std::vector<std::string> markdown_raw_cells(const std::string& line) {
    std::vector<std::string> cells;
    if (line.size() < 2 || line.front() != '|' || line.back() != '|') return cells;
    size_t start = 1;
    for (size_t i = 1; i < line.size(); ++i) {
        if (line[i] == '|') {
            cells.push_back(line.substr(start, i - start));
            start = i + 1;
        }
    }
    return cells;
}

inline std::vector<std::string> markdown_cells(const std::string& line) {
    std::vector<std::string> cells = markdown_raw_cells(line);
    for (std::string& c : cells) c = trim(c);
    return cells;
}

// Characters as a terminal shows them: UTF-8 continuation bytes do not count.
inline size_t display_width(const std::string& s) {
    size_t w = 0;
    for (unsigned char c : s) {
        if ((c & 0xC0) != 0x80) ++w;
    }
    return w;
}

// The values of "INSERT INTO t (cols) VALUES (v1, 'text', ...);": each value as written, with
// strings unquoted ('' -> ') and *was_string set per value. Column names in *columns.
inline bool parse_sql_insert(const std::string& stmt, std::vector<std::string>* columns, std::vector<std::string>* values,
                             std::vector<bool>* was_string, std::string* error) {
    const std::string head = "INSERT INTO ";
    if (stmt.compare(0, head.size(), head) != 0) {
        *error = "not an INSERT";
        return false;
    }
    const size_t open = stmt.find('(');
    const size_t close = stmt.find(')', open);
    if (open == std::string::npos || close == std::string::npos) {
        *error = "no column list";
        return false;
    }
    columns->clear();
    std::string cols = stmt.substr(open + 1, close - open - 1);
    size_t s = 0;
    while (s <= cols.size()) {
        size_t e = cols.find(',', s);
        if (e == std::string::npos) e = cols.size();
        columns->push_back(trim(cols.substr(s, e - s)));
        s = e + 1;
    }
    const std::string kw = " VALUES (";
    if (stmt.compare(close + 1, kw.size(), kw) != 0) {
        *error = "no VALUES after the column list";
        return false;
    }
    size_t i = close + 1 + kw.size();
    values->clear();
    was_string->clear();
    for (;;) {
        while (i < stmt.size() && stmt[i] == ' ') ++i;
        if (i >= stmt.size()) {
            *error = "unterminated VALUES";
            return false;
        }
        std::string v;
        bool str = false;
        if (stmt[i] == '\'') {
            str = true;
            ++i;
            for (;;) {
                if (i >= stmt.size()) {
                    *error = "unterminated string";
                    return false;
                }
                if (stmt[i] == '\'') {
                    if (i + 1 < stmt.size() && stmt[i + 1] == '\'') {
                        v += '\'';
                        i += 2;
                        continue;
                    }
                    ++i;
                    break;
                }
                v += stmt[i++];
            }
        } else {
            while (i < stmt.size() && stmt[i] != ',' && stmt[i] != ')') v += stmt[i++];
            v = trim(v);
        }
        values->push_back(v);
        was_string->push_back(str);
        while (i < stmt.size() && stmt[i] == ' ') ++i;
        if (i < stmt.size() && stmt[i] == ',') {
            ++i;
            continue;
        }
        if (stmt.compare(i, 2, ");") == 0 && i + 2 == stmt.size()) return true;
        *error = "unexpected text after a value at byte " + std::to_string(i);
        return false;
    }
}

}  // namespace report_parse

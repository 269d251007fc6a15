// The op-test harness: one set of cases for every backend (CPU now, CUDA later), in the spirit of
// llama.cpp's test-backend-ops.
//
// A case is a tiny DispatchTable (one command, or a few) over a handful of tensors, a RunState and a
// run mode. run_case():
//   1. fills every tensor from a seed (weights: Gaussian values quantized with the registry's
//      quantize_row; activations uniform or Gaussian; pure outputs poisoned with a NaN pattern),
//   2. runs the table on the scalar double reference (op_reference.h),
//   3. creates the tensors on the backend, each inside a larger buffer with guard bytes before and
//      after it (the BufRef points past the front guard), imports weights with import_weights,
//      prepare()s and runs the table (run / run_chain / run_profiled),
//   4. reads every buffer back whole and checks: guards untouched; elements the reference did not
//      write (inputs, the rest of a KV cache, unrotated rope tail, other chain slots, ...) bit for
//      bit unchanged; elements it wrote finite and within the tolerance by normalized error
//      ||got - want||_2 / ||want||_2 (tolerance 0: bit-exact). For sums (MatMul, Attention) each
//      element's share of the denominator is max(|want|, L2 norm of its terms): an output whose
//      terms happen to cancel is held to the rounding error of the terms, not of the tiny result.
//      With random data the two agree except where cancellation occurs.
// Guards are 0xFF bytes, a NaN as f32, f16 and bf16: a kernel that reads past a tensor and uses what
// it read turns its output into NaN, and one that writes past it changes the guard.
//
// Plugging in a backend: add it to targets() (op_harness.cpp); every case generator in test_ops.cpp
// emits one case per target, so the same shapes run everywhere. A backend that does not take a case
// throws Error(Unsupported) from create_backend or prepare(); the case then counts as unsupported
// (skipped, and listed by the coverage test) rather than failed.
//
// Environment: AKUNU_OP_PERF=1 times every case after checking it (µs per run, weight or activation
// GB/s, GFLOP/s; printed, never asserted). AKUNU_OP_VERBOSE=1 prints each tensor's error and
// tolerance, to calibrate the tolerance table.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "backend/backend.h"
#include "op_reference.h"
#include "plan/dispatch_table.h"

namespace akunu::optest {

// Where a case runs. CPU cases also vary the thread count: results must not depend on it beyond
// the tolerance.
struct Target {
    BackendKind kind = BackendKind::Cpu;
    int32_t n_threads = 1;  // CPU only
    std::string tag() const;  // "t2", "tmax" (0: all cores), "cuda", "t1_avx2", "t2_q8_avx512": the case name's suffix
    // CPU kernel level (BackendOptions::isa) and activation mode. The defaults are the backend's
    // defaults (best level, exact f32 activations); the extra targets below force the others.
    std::string isa = "auto";
    bool quantized_activations = false;  // BackendOptions::exact_activations = false: Q8 tolerance rows
};

// CPU with 1 thread (and 2 and 3 when `threaded`), each kernel level below the best with 1 thread
// (exact), and every level with quantized activations and 2 threads; CUDA too when the test
// binary is compiled with AKUNU_TEST_CUDA defined (the CUDA backend's CMake adds it to test_backend).
std::vector<Target> targets(bool threaded);

enum class Fill : uint8_t {
    Zero,
    Poison,   // 0x7FC0FFEE in every 4 bytes: a quiet NaN as f32 (pure outputs)
    Uniform,  // [a, b); integers in [a, b) for I32
    Gauss,    // mean a, sigma b
    Data,     // TensorSpec::data verbatim
};

constexpr uint32_t kPoisonBits = 0x7FC0FFEEu;
constexpr size_t kGuardBytes = 256;  // keeps the payload 256-byte aligned inside its buffer
constexpr uint8_t kGuardByte = 0xFF;

struct TensorSpec {
    std::string name;
    Elem elem = Elem::F32;
    size_t bytes = 0;
    Fill fill = Fill::Zero;
    double a = 0, b = 0;
    DType wtype = DType::F32;   // Raw: storage type; generated values are quantized row by row
    int64_t cols = 0;           // Raw: row length (elements)
    std::vector<uint8_t> data;  // Fill::Data
    bool imported = false;      // model weights: import_weights instead of create_buffer + write
    double tol = -1;            // normalized-error tolerance for written elements; < 0: from the table
};

enum class RunMode : uint8_t { Run, Chain, Profiled };

struct OpCase {
    std::string suite;  // "MatMul"
    std::string name;   // "Q4_K_n33_k768_m3_t2": gtest parameter name, [A-Za-z0-9_] only
    Target target;
    std::vector<TensorSpec> tensors;
    DispatchTable table;  // BufRef.buf indexes `tensors`; BufRef.offset is relative to the tensor
    RunState state;
    RunMode mode = RunMode::Run;
    int32_t chain_steps = 1;       // RunMode::Chain
    double min_argmax_margin = 0;  // > 0: fail as ill-conditioned if the reference's margin is smaller
    uint64_t seed = 0;             // same shape => same data on every target

    std::string full_name() const { return suite + "/" + name; }
};

void PrintTo(const OpCase& c, std::ostream* os);  // gtest prints the name, not the bytes

// ---------------------------------------------------------------- tolerances

struct ToleranceRow {
    Op op;
    bool any_dtype;  // the row holds for every weight type
    DType dtype;
    double tol;      // normalized L2 error; 0 = bit-exact
    const char* why;
};

// The one table of tolerances (op_harness.cpp explains each row).
const std::vector<ToleranceRow>& tolerance_table();
double tolerance(Op op, DType wtype);
// Rows for a backend that quantizes MatMul activations to 8 bits (Target::quantized_activations);
// ops and types without a row here take tolerance().
const std::vector<ToleranceRow>& quantized_activation_tolerance_table();
double tolerance(Op op, DType wtype, bool quantized_activations);

// ---------------------------------------------------------------- building cases

class CaseBuilder {
public:
    // `name` without the target: the builder appends "_" + target.tag() and seeds from the rest.
    CaseBuilder(std::string suite, std::string name, Target target);

    // Each returns the tensor's index, which is its BufferId in the case's table.
    uint32_t f32(const std::string& name, size_t count, Fill fill, double a = -1.0, double b = 1.0);
    uint32_t out_f32(const std::string& name, size_t count) { return f32(name, count, Fill::Poison); }
    uint32_t f32_values(const std::string& name, const std::vector<float>& values);
    uint32_t i32(const std::string& name, size_t count, Fill fill, double a = 0, double b = 0);
    uint32_t i32_values(const std::string& name, const std::vector<int32_t>& values);
    // A weight matrix [rows][cols] of `type`: N(0, sigma) values quantized with the registry; imported.
    uint32_t weight(const std::string& name, DType type, int64_t rows, int64_t cols, double sigma = 1.0);
    // A norm weight f32[k], uniform [0.5, 1.5); imported.
    uint32_t norm_weight(const std::string& name, int64_t k);

    TensorSpec& spec(uint32_t id) { return c_.tensors.at(id); }
    static BufRef ref(uint32_t id, uint64_t byte_offset = 0);
    void add(const Command& cmd);

    OpCase build(const RunState& state, RunMode mode = RunMode::Run, int32_t chain_steps = 1);

private:
    uint32_t push(TensorSpec t);
    OpCase c_;
};

// ---------------------------------------------------------------- running

struct HarnessOptions {
    bool perf = false;     // AKUNU_OP_PERF=1
    bool verbose = false;  // AKUNU_OP_VERBOSE=1
    // Makes the backend for a target; empty: create_backend(kind, {n_threads}). The harness's own
    // tests put a fault-injecting wrapper here to prove each check can fail.
    std::function<std::unique_ptr<Backend>(const Target&)> make_backend;
    static HarnessOptions from_env();
};

struct TensorCheck {
    std::string tensor;
    size_t written = 0;  // elements the reference wrote
    double err = 0;      // normalized error over them
    double tol = 0;
};

struct CaseResult {
    enum class Status { Pass, Fail, Unsupported };
    Status status = Status::Pass;
    std::string message;  // why it failed / is unsupported (several lines)
    std::vector<TensorCheck> checks;
    double us_per_run = 0;  // perf mode only
    std::string perf_line;  // perf mode only
};

CaseResult run_case(const OpCase& c, const HarnessOptions& options = HarnessOptions::from_env());

// Creates the case's buffers on its target and prepare()s the table, without running it.
// Returns false (and why) where the backend throws Unsupported.
bool backend_supports(const OpCase& c, std::string* why = nullptr);

}  // namespace akunu::optest

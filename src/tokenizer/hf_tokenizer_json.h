// Loading a Hugging Face tokenizer (tokenizer.json, plus tokenizer_config.json for the BOS/EOS
// tokens and whether to add them) into the same tokenizers the GGUF path builds:
//   model BPE over a ByteLevel pre-tokenizer -> BpeTokenizer
//   model WordPiece (BertNormalizer + BertPreTokenizer) -> WordPieceTokenizer
// The normalizer and pre_tokenizer are mapped step for step (Split, ByteLevel, Digits,
// Punctuation, Whitespace, WhitespaceSplit, Sequence; NFC/NFD/NFKC/NFKD, Lowercase,
// StripAccents). Added tokens keep their ids; special ones become Control (matched in text only
// with parse_special), the others UserDefined (always matched, as Hugging Face does), and their
// lstrip/rstrip flags are kept.
//
// The post-processor is read only for the tokens it wraps a sequence in (TemplateProcessing,
// BertProcessing, RobertaProcessing); the decoder is implied by the model.
//
// Errors: text that is not JSON, or a field of the wrong type or out of range, is Format naming
// the source and the field; a model, normalizer or pre-tokenizer type we do not implement is
// Unsupported naming it; a merge naming an unknown token is Format (bpe_tokenizer.h).
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "tokenizer/tokenizer.h"

namespace akunu {

// `tokenizer_config_path` may be empty (no config: no BOS/EOS beyond the post-processor's).
// Unreadable files are Io errors naming the path.
std::unique_ptr<Tokenizer> tokenizer_from_hf_files(const std::string& tokenizer_json_path,
                                                   const std::string& tokenizer_config_path);

// The same from the files' texts; `source` names them in messages. An empty config is none.
std::unique_ptr<Tokenizer> tokenizer_from_hf_json(std::string_view tokenizer_json, std::string_view tokenizer_config,
                                                  const std::string& source);

}  // namespace akunu

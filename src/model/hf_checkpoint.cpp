#include "model/hf_checkpoint.h"

#include <sys/stat.h>

#include "core/error.h"
#include "format/safetensors_index.h"

namespace akunu {

namespace {

bool is_file(const std::string& path) {
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

}  // namespace

std::shared_ptr<const HfCheckpoint> HfCheckpoint::open(const std::string& dir) {
    auto ck = std::make_shared<HfCheckpoint>();
    const std::string index_path = dir + "/model.safetensors.index.json";
    const std::string single_path = dir + "/model.safetensors";
    if (is_file(index_path)) {
        const SafetensorsIndex index = read_safetensors_index(index_path);
        std::map<std::string, size_t> shard_of;
        for (const std::string& shard : index.shards) {
            shard_of[shard] = ck->files_.size();
            ck->files_.push_back(SafetensorsFile::open(dir + "/" + shard));
        }
        for (const auto& [name, shard] : index.weight_map) {
            const size_t f = shard_of.at(shard);
            const SafetensorsTensor* t = ck->files_[f]->find(name);
            if (!t) {
                fail(ErrorKind::Format, "safetensors",
                     index_path + ": names tensor '" + name + "' in " + shard + ", which does not hold it");
            }
            ck->tensors_[name] = t;
            ck->file_index_[name] = f;
        }
        // A shard's tensor the index does not list would be silently lost: the index is stale.
        for (size_t f = 0; f < ck->files_.size(); ++f) {
            for (const SafetensorsTensor& t : ck->files_[f]->tensors()) {
                const auto it = ck->file_index_.find(t.name);
                if (it == ck->file_index_.end() || it->second != f) {
                    fail(ErrorKind::Format, "safetensors",
                         index_path + ": " + ck->files_[f]->name() + " holds tensor '" + t.name +
                             "', which the index " + (it == ck->file_index_.end() ? "does not list"
                                                                                  : "places in another shard"));
                }
            }
        }
    } else if (is_file(single_path)) {
        ck->files_.push_back(SafetensorsFile::open(single_path));
        for (const SafetensorsTensor& t : ck->files_[0]->tensors()) {
            ck->tensors_[t.name] = &t;
            ck->file_index_[t.name] = 0;
        }
    } else {
        fail(ErrorKind::Io, "hf-folder", dir + ": has neither model.safetensors nor model.safetensors.index.json");
    }
    return ck;
}

const SafetensorsTensor* HfCheckpoint::find(const std::string& name) const {
    const auto it = tensors_.find(name);
    return it == tensors_.end() ? nullptr : it->second;
}

const std::string& HfCheckpoint::file_of(const std::string& name) const {
    return files_[file_index_.at(name)]->name();
}

}  // namespace akunu

#include "io/csv_reader.hpp"
#include "io/table.hpp"
#include "io/xlsx_reader.hpp"

#include <algorithm>
#include <cctype>

namespace reinscore::io {

std::unique_ptr<TableReader> open_table(const std::string& path, const OpenOptions& opts) {
  std::string ext = path.size() >= 5 ? path.substr(path.size() - 5) : std::string{};
  std::transform(ext.begin(), ext.end(), ext.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (ext == ".xlsx") return make_xlsx_reader(path, opts);
  return make_csv_reader(path, opts);
}

}  // namespace reinscore::io

#include "hilo/core/store.h"

#include <future>

namespace hilo {

Status Store::WriteSync(std::function<Status(StoreTx&)> job) {
  std::promise<Status> committed;
  auto result = committed.get_future();
  Write(std::move(job), [&committed](Status s) { committed.set_value(std::move(s)); });
  return result.get();
}

}  // namespace hilo

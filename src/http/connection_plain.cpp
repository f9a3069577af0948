// The plain-HTTP instantiation of Connection, in a translation unit of its own.
#include "http/connection.hpp"

namespace ossd::http::detail {

std::shared_ptr<ConnectionBase> make_plain_connection(ServerState& server, uint64_t id, std::string remote,
                                                      tcp::socket socket) {
  return std::make_shared<Connection<beast::tcp_stream>>(server, id, std::move(remote), std::move(socket));
}

}  // namespace ossd::http::detail

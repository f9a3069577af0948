// The HTTPS instantiation of Connection, in a translation unit of its own.
#include <boost/beast/ssl.hpp>

#include "http/connection.hpp"

namespace ossd::http::detail {

std::shared_ptr<ConnectionBase> make_tls_connection(ServerState& server, uint64_t id, std::string remote,
                                                    tcp::socket socket, asio::ssl::context& tls) {
  using TlsStream = beast::ssl_stream<beast::tcp_stream>;
  return std::make_shared<Connection<TlsStream>>(server, id, std::move(remote), std::move(socket), tls);
}

}  // namespace ossd::http::detail

#include "metrics/endpoint.hpp"

#include <catch2/catch.hpp>

using namespace kpipe::metrics;

TEST_CASE("metrics listen addresses default to loopback") {
    auto port_only = parse_listen_address("9464");
    REQUIRE(port_only);
    CHECK(port_only->host == "127.0.0.1");
    CHECK(port_only->port == 9464);
    auto colon_port = parse_listen_address(":9464");
    REQUIRE(colon_port);
    CHECK(colon_port->host == "127.0.0.1");
    auto all = parse_listen_address("0.0.0.0:9464");
    REQUIRE(all);
    CHECK(all->host == "0.0.0.0");
    auto ipv6 = parse_listen_address("[::1]:9000");
    REQUIRE(ipv6);
    CHECK(ipv6->host == "::1");
    CHECK(ipv6->port == 9000);
}

TEST_CASE("a metrics listen address without a valid port is refused") {
    CHECK_FALSE(parse_listen_address("localhost"));
    CHECK_FALSE(parse_listen_address("host:0"));
    CHECK_FALSE(parse_listen_address(":70000"));
    CHECK_FALSE(parse_listen_address("host:12x"));
}

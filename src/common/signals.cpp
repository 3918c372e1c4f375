#include "common/signals.hpp"

#include <atomic>
#include <csignal>

namespace kpipe {
namespace {

std::atomic<int> received_signal{0};

extern "C" void remember_signal(int signal) {
    received_signal.store(signal);
}

}  // namespace

void install_stop_signal_handlers() {
    struct sigaction action {};
    action.sa_handler = remember_signal;
    sigemptyset(&action.sa_mask);
    sigaction(SIGINT, &action, nullptr);
    sigaction(SIGTERM, &action, nullptr);
    std::signal(SIGPIPE, SIG_IGN);
}

bool stop_requested() {
    return received_signal.load() != 0;
}

int stop_signal() {
    return received_signal.load();
}

}  // namespace kpipe

#pragma once
// SIGINT/SIGTERM end long-running loops cleanly: handlers only set a flag that loops poll.

namespace kpipe {

// Installs the SIGINT/SIGTERM handlers and ignores SIGPIPE (a closed stdout is seen as EPIPE).
void install_stop_signal_handlers();

bool stop_requested();

// The signal that asked to stop, 0 if none.
int stop_signal();

}  // namespace kpipe

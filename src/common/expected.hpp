#pragma once
// Errors as values at input boundaries: a function that can fail because of what the
// user gave it returns Expected<T>; bugs still throw.

#include <string>
#include <utility>
#include <variant>

namespace kpipe {

// Usage errors (bad options, unknown properties) exit 2; runtime errors exit 1.
enum class ErrorKind { runtime, usage };

// A one-line, user-facing description: what went wrong and, where known, how to fix it.
struct Error {
    std::string message;
    ErrorKind kind = ErrorKind::runtime;
};

inline Error usage_error(std::string message) {
    return Error{std::move(message), ErrorKind::usage};
}

template <class T>
class [[nodiscard]] Expected {
  public:
    Expected(T value) : state_(std::move(value)) {}
    Expected(Error error) : state_(std::move(error)) {}

    bool has_value() const { return state_.index() == 0; }
    explicit operator bool() const { return has_value(); }

    T& value() & { return std::get<0>(state_); }
    const T& value() const& { return std::get<0>(state_); }
    T&& value() && { return std::get<0>(std::move(state_)); }
    T& operator*() & { return value(); }
    const T& operator*() const& { return value(); }
    T* operator->() { return &value(); }
    const T* operator->() const { return &value(); }

    const Error& error() const { return std::get<1>(state_); }

  private:
    std::variant<T, Error> state_;
};

// For operations that return nothing on success.
struct Ok {};
using Status = Expected<Ok>;

inline Status ok() {
    return Ok{};
}

}  // namespace kpipe

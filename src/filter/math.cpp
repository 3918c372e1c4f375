// The libm functions jq exposes: one-argument functions apply to the input, the others take
// their arguments ($a; $b; $c) and ignore the input.

#include <cmath>

#include "filter/builtins.hpp"

namespace kpipe::filter {

namespace {

struct Unary {
    std::string_view name;
    double (*f)(double);
};

double exp10_of(double x) {
    return std::pow(10.0, x);
}
double significand_of(double x) {
    if (x == 0 || std::isinf(x) || std::isnan(x)) return x;
    int e = 0;
    return std::frexp(x, &e) * 2;
}
double gamma_of(double x) {
    return std::lgamma(x);
}
double j0_of(double x) {
    return ::j0(x);
}
double j1_of(double x) {
    return ::j1(x);
}
double y0_of(double x) {
    return ::y0(x);
}
double y1_of(double x) {
    return ::y1(x);
}

constexpr Unary unary[] = {
    {"acos", [](double x) { return std::acos(x); }},
    {"acosh", [](double x) { return std::acosh(x); }},
    {"asin", [](double x) { return std::asin(x); }},
    {"asinh", [](double x) { return std::asinh(x); }},
    {"atan", [](double x) { return std::atan(x); }},
    {"atanh", [](double x) { return std::atanh(x); }},
    {"cbrt", [](double x) { return std::cbrt(x); }},
    {"ceil", [](double x) { return std::ceil(x); }},
    {"cos", [](double x) { return std::cos(x); }},
    {"cosh", [](double x) { return std::cosh(x); }},
    {"exp", [](double x) { return std::exp(x); }},
    {"exp10", exp10_of},
    {"exp2", [](double x) { return std::exp2(x); }},
    {"expm1", [](double x) { return std::expm1(x); }},
    {"fabs", [](double x) { return std::fabs(x); }},
    {"floor", [](double x) { return std::floor(x); }},
    {"gamma", gamma_of},
    {"j0", j0_of},
    {"j1", j1_of},
    {"lgamma", [](double x) { return std::lgamma(x); }},
    {"log", [](double x) { return std::log(x); }},
    {"log10", [](double x) { return std::log10(x); }},
    {"log1p", [](double x) { return std::log1p(x); }},
    {"log2", [](double x) { return std::log2(x); }},
    {"logb", [](double x) { return std::logb(x); }},
    {"nearbyint", [](double x) { return std::nearbyint(x); }},
    {"pow10", exp10_of},
    {"rint", [](double x) { return std::rint(x); }},
    {"round", [](double x) { return std::round(x); }},
    {"significand", significand_of},
    {"sin", [](double x) { return std::sin(x); }},
    {"sinh", [](double x) { return std::sinh(x); }},
    {"sqrt", [](double x) { return std::sqrt(x); }},
    {"tan", [](double x) { return std::tan(x); }},
    {"tanh", [](double x) { return std::tanh(x); }},
    {"tgamma", [](double x) { return std::tgamma(x); }},
    {"trunc", [](double x) { return std::trunc(x); }},
    {"y0", y0_of},
    {"y1", y1_of},
};

double number_of(const Value& v) {
    if (!v.is_number()) raise(kind_and_value(v) + " number required");
    return v.as_number();
}

}  // namespace

Value apply_math(std::string_view name, const Value& input, const Value* args, std::size_t n) {
    if (n == 0) {
        const double x = number_of(input);
        for (const Unary& u : unary) {
            if (u.name == name) return Value::number(u.f(x));
        }
        if (name == "frexp") {
            int e = 0;
            const double m = std::frexp(x, &e);
            return Value::array({Value::number(m), Value::number(e)});
        }
        if (name == "modf") {
            double whole = 0;
            const double frac = std::modf(x, &whole);
            return Value::array({Value::number(frac), Value::number(whole)});
        }
        if (name == "lgamma_r") {
            int sign = 0;
            const double v = lgamma_r(x, &sign);
            return Value::array({Value::number(v), Value::number(sign)});
        }
    } else if (n == 2) {
        const double a = number_of(args[0]);
        const double b = number_of(args[1]);
        if (name == "atan2") return Value::number(std::atan2(a, b));
        if (name == "copysign") return Value::number(std::copysign(a, b));
        if (name == "drem") return Value::number(std::remainder(a, b));
        if (name == "fdim") return Value::number(std::fdim(a, b));
        if (name == "fmax") return Value::number(std::fmax(a, b));
        if (name == "fmin") return Value::number(std::fmin(a, b));
        if (name == "fmod") return Value::number(std::fmod(a, b));
        if (name == "hypot") return Value::number(std::hypot(a, b));
        if (name == "ldexp") return Value::number(std::ldexp(a, static_cast<int>(b)));
        if (name == "nextafter") return Value::number(std::nextafter(a, b));
        if (name == "nexttoward") return Value::number(std::nexttoward(a, b));
        if (name == "pow") return Value::number(std::pow(a, b));
        if (name == "scalb") return Value::number(a * std::exp2(b));
        if (name == "scalbln") return Value::number(std::scalbln(a, static_cast<long>(b)));
    } else if (n == 3 && name == "fma") {
        return Value::number(std::fma(number_of(args[0]), number_of(args[1]), number_of(args[2])));
    }
    raise(std::string(name) + "/" + std::to_string(n) + " is not defined");
}

}  // namespace kpipe::filter

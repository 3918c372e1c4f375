# kpipe image: built from Debian packages in a build stage, run on a slim runtime stage.
FROM debian:bookworm AS build
RUN apt-get update && apt-get install -y --no-install-recommends \
      build-essential cmake ninja-build pkg-config \
      librdkafka-dev libcli11-dev libsimdjson-dev libspdlog-dev libfmt-dev \
      libtomlplusplus-dev libonig-dev libssl-dev libcpp-httplib-dev \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY CMakeLists.txt ./
COPY cli cli
COPY src src
COPY man man
COPY completions completions
COPY cmake cmake
COPY packaging packaging
RUN cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release -DKPIPE_TESTS=OFF \
    && cmake --build build \
    && cmake --install build --prefix /opt/kpipe

FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends \
      librdkafka1 libsimdjson14 libspdlog1.10 libfmt9 libtomlplusplus3 libonig5 \
      libcpp-httplib0.11 \
    && rm -rf /var/lib/apt/lists/*
COPY --from=build /opt/kpipe /usr/local
COPY examples/kpipe.toml /etc/kpipe/kpipe.toml
ENV KPIPE_CONFIG=/etc/kpipe/kpipe.toml
USER nobody
ENTRYPOINT ["kpipe"]
CMD ["--help"]

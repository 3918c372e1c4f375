# bash completion for kpipe(1): subcommands, their options and the global options.
# The option lists mirror the CLI11 definitions in cli/; ctest's completion.scripts test fails
# when `kpipe SUBCOMMAND --help` and these lists disagree.

_kpipe_subcommands="broker produce consume transform replay-dlq topic-check"

_kpipe_global_options="-b --brokers -X --property -F --config --profile -v --verbose -q --quiet
  --log-format --metrics --timeout --version -h --help"

_kpipe_options_for() {
    case "$1" in
        broker) echo "--broker-count --topic --fault --control --bootstrap-file" ;;
        produce) echo "-t --topic --format --envelope -k --key-field -K --key-delimiter -H --header
            -p --partition -z --compression --acks --generate --count --rate --seed --dry-run" ;;
        consume) echo "-t --topic --envelope -o --offset -e --exit-at-end -c --count -g --group
            -p --partition" ;;
        transform) echo "--in --out --filter-file --dlq --dlq-file -g --group --envelope
            -e --exit-at-end -c --count --exactly-once --transactional-id --max-record-bytes
            --key --header --topic --arg --argjson --slurpfile --rawfile" ;;
        replay-dlq) echo "--dlq --to --where --same-partition --dry-run --max --rate --since --until
            --error-contains --max-replays --keep-headers -g --group -f --follow
            --arg --argjson --slurpfile --rawfile" ;;
        topic-check) echo "--expect-partitions --expect-replicas --min-isr --roundtrip
            --max-latency -g --group --max-lag --sample --schema --json --junit" ;;
    esac
}

_kpipe() {
    local cur prev subcommand word i
    cur="${COMP_WORDS[COMP_CWORD]}"
    prev=""
    if [ "$COMP_CWORD" -gt 0 ]; then prev="${COMP_WORDS[COMP_CWORD - 1]}"; fi

    # The first word that names a subcommand (global options may come before it).
    subcommand=""
    for ((i = 1; i < COMP_CWORD; i++)); do
        word="${COMP_WORDS[i]}"
        case " $_kpipe_subcommands " in
            *" $word "*) subcommand="$word"; break ;;
        esac
    done

    # Option values with a fixed set of choices, or files.
    case "$prev" in
        --log-format) COMPREPLY=($(compgen -W "text json" -- "$cur")); return 0 ;;
        --format) COMPREPLY=($(compgen -W "json raw" -- "$cur")); return 0 ;;
        -z | --compression) COMPREPLY=($(compgen -W "none gzip snappy lz4 zstd" -- "$cur")); return 0 ;;
        --acks) COMPREPLY=($(compgen -W "all 0 1 -1" -- "$cur")); return 0 ;;
        --generate) COMPREPLY=($(compgen -W "user-login" -- "$cur")); return 0 ;;
        -o | --offset) COMPREPLY=($(compgen -W "beginning end stored" -- "$cur")); return 0 ;;
        -F | --config | --filter-file | --dlq-file | --bootstrap-file | --junit | --schema)
            COMPREPLY=($(compgen -f -- "$cur")); return 0 ;;
    esac

    if [ -z "$subcommand" ]; then
        if [[ "$cur" == -* ]]; then
            COMPREPLY=($(compgen -W "$_kpipe_global_options" -- "$cur"))
        else
            COMPREPLY=($(compgen -W "$_kpipe_subcommands" -- "$cur"))
        fi
        return 0
    fi
    if [[ "$cur" == -* ]]; then
        COMPREPLY=($(compgen -W "$(_kpipe_options_for "$subcommand") $_kpipe_global_options" \
            -- "$cur"))
        return 0
    fi
    # produce reads FILEs; the other positional arguments (filters, topics) have no list.
    if [ "$subcommand" = produce ]; then COMPREPLY=($(compgen -f -- "$cur")); fi
    return 0
}

complete -F _kpipe kpipe

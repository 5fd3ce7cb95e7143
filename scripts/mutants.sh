#!/usr/bin/env bash
# Mutation testing of the code behind the crate's promises, with
# cargo-mutants, one scope at a time: each scope names the files it mutates
# and the test binaries that cover them (so a mutant builds and runs only
# those). Every mutant must be caught, or be listed in
# .cargo/mutants.toml's exclude_re with the reason it is equivalent.
#
#   scripts/mutants.sh                 # every scope
#   scripts/mutants.sh compare tokens  # some scopes
#   scripts/mutants.sh --list          # the scopes
#   scripts/mutants.sh --coverage      # every source file in a scope?
#   MUTANTS_IN_PLACE=1 scripts/mutants.sh ...   # mutate this tree itself
#                                                 (a clone kept for it; faster)
#   MUTANTS_DIFF=change.diff scripts/mutants.sh # only mutants in the diff
#   MUTANTS_RE='fn_a|fn_b' scripts/mutants.sh ... # only mutants whose name
#                                                 matches (re-testing what a
#                                                 run missed, once fixed)
#   MUTANTS_ITERATE=1 scripts/mutants.sh ...    # skip the mutants an earlier
#                                                 run of a scope caught (a
#                                                 long scope over sessions)
#   scripts/mutants.sh --change [REV]  # the mutants in the change since REV
#                                      # (default HEAD~1), in place, at most
#                                      # MUTANTS_MAX (40) of them: CI's step
#
# Results go to target/mutants-results/<scope>/mutants.out (target/mutants/
# is the `mutants` profile's build); the counts are printed per scope and
# summed at the end. Exits 1 when any mutant is missed, 2
# when cargo-mutants is not installed. A mutant that makes the tests hang
# (a timeout) is caught by the hang; timeouts are counted and shown.
# TESTING.md records the runs, scope by scope.
set -euo pipefail
cd "$(dirname "$0")/.."

# scope | package | files (space-separated) | cargo test arguments
scopes=(
  "compare|vipps-order-management|src/model/receipt_compare.rs|--test receipt_compare --test reconcile"
  "reconcile|vipps-order-management|src/api/order.rs src/api/images.rs src/api/categories.rs src/api/request.rs src/client/mod.rs|--test reconcile --test exactly_once --test operations --test errors --test validation --test order_answers --test retries"
  "retry|vipps-order-management|src/retry.rs src/transport/attempts.rs src/transport/exchange.rs src/transport/call.rs src/transport/reply.rs src/transport/gateway.rs src/transport/mod.rs|--lib --test retries --test defences --test errors --test exactly_once --test operations --test auth --test retryable --test trace_logs --test secrets"
  "tokens|vipps-order-management|src/auth/cache.rs src/auth/endpoint.rs|--lib --test auth --test check"
  "validation|vipps-order-management|src/validate.rs|--lib --test validation --test inputs --test receipt_builder --test emulator"
  "arithmetic|vipps-order-management|src/receipt_builder.rs src/model/arithmetic.rs src/model/paid.rs src/money.rs src/model/amount.rs src/model/quantity.rs src/model/tax_rate.rs|--lib --test receipt_builder --test validation --test inputs"
  # The one table of the API: the calls' paths and methods, and the
  # emulator's routes from it.
  "operations|vipps-order-management|src/operation.rs|--lib --test operations --test emulator --test check --test auth"
  # The emulator's tests are the SDK's too (the SDK's tests dev-depend on it).
  "emulator|vipps-order-management-emulator|emulator/src/fault.rs emulator/src/dispatch.rs emulator/src/store.rs|--lib --test emulator --test exactly_once --test auth"
  # Every file of the console, as it is now (folders included): what its
  # in-process tests reach, and apart what only a process shows (its
  # signals, its listener, reading the staff file again) with the tests
  # that start console processes.
  "images|vipps-order-management|src/image_file/inspect.rs src/image_file/upload.rs|--lib --test operations --test validation --test inputs"
  "check|vipps-order-management|src/check/mod.rs src/check/options.rs src/check/report.rs src/check/verdicts.rs|--lib --test check"
  "errors|vipps-order-management|src/error/mod.rs src/error/body.rs src/error/message.rs src/secret.rs src/text.rs|--lib --test errors --test secrets --test trace_logs --test order_answers --test retryable"
  "client|vipps-order-management|src/client/base_url.rs src/client/builder.rs src/client/environment.rs src/headers.rs src/clock.rs src/tls.rs|--lib --test validation --test auth --test connections --test operations --test check"
  "model|vipps-order-management|src/model/category.rs src/model/discrepancy.rs src/model/enums.rs src/model/ids.rs src/model/image.rs src/model/lenient.rs src/model/order.rs src/model/receipt.rs src/model/vat.rs src/view.rs|--lib --test order_answers --test validation --test receipt_compare --test inputs --test operations"
  "emulator-service|vipps-order-management-emulator|emulator/src/lib.rs emulator/src/access.rs emulator/src/admin.rs emulator/src/answer.rs emulator/src/memory_budget.rs emulator/src/builder.rs emulator/src/clock.rs emulator/src/handlers.rs emulator/src/received.rs emulator/src/journal/mod.rs emulator/src/journal/compaction.rs emulator/src/record.rs emulator/src/schema.rs emulator/src/server.rs emulator/src/serving/mod.rs emulator/src/serving/connection.rs emulator/src/state.rs|--lib --test emulator --test emulator_service --test exactly_once --test inputs --test auth"
  "tool|vipps-om|vipps-om/src/args.rs vipps-om/src/commands.rs vipps-om/src/files.rs vipps-om/src/config.rs vipps-om/src/failure.rs vipps-om/src/logging.rs vipps-om/src/output.rs vipps-om/src/outbox.rs|--lib --test cli --test emulator_server --test admin_api_spec --test outbox"
  # The outbox, on SQLite and (its feature on) on Postgres; its chaos test
  # runs apart (vipps-om/tests/outbox_chaos.rs: minutes, not seconds).
  "outbox|vipps-order-management-outbox|outbox/src/claims.rs outbox/src/database.rs outbox/src/delivering.rs outbox/src/delivery.rs outbox/src/enqueue.rs outbox/src/error.rs outbox/src/job.rs outbox/src/postgres.rs outbox/src/schedule.rs outbox/src/sqlite.rs outbox/src/staff.rs outbox/src/worker.rs|--lib --test outbox --features postgres"
  "console|vipps-om|$(git ls-files 'vipps-om/src/console/*.rs' | grep -v -E 'console/service/(mod|server|staff_file)\.rs$' | tr '\n' ' ')|--lib --test console --test console_access"
  "console-service|vipps-om|vipps-om/src/console/service/mod.rs vipps-om/src/console/service/server.rs vipps-om/src/console/service/staff_file.rs vipps-om/src/signal.rs|--lib --test console_served --test console_instances"
)

# The source files in no scope, each with why: what they hold has no
# behaviour a mutant could change (module declarations and re-exports, one
# call) or is test code itself.
left_out=(
  "src/lib.rs|the crate's modules and re-exports, and its docs"
  "src/api/mod.rs|the handles' module declarations and re-exports"
  "src/auth/mod.rs|module declarations and re-exports"
  "src/image_file/mod.rs|module declarations and re-exports"
  "src/model/mod.rs|module declarations and re-exports"
  "src/fuzz_tests.rs|test code (the property tests)"
  "vipps-om/src/lib.rs|the tool's modules and its one entry point, run()"
  "outbox/src/lib.rs|the outbox's modules and re-exports, and its docs"
  "vipps-om/src/main.rs|one call: vipps_om::run()"
)

# --coverage: every source file of every crate is in a scope or left out
# above; CI runs it, so a new file cannot fall outside mutation testing.
if [ "${1:-}" = "--coverage" ]; then
  listed=$(for s in "${scopes[@]}"; do IFS='|' read -r _ _ files _ <<<"$s"; tr ' ' '\n' <<<"$files"; done
    for l in "${left_out[@]}"; do echo "${l%%|*}"; done)
  missing=$(git ls-files 'src/*.rs' 'emulator/src/*.rs' 'outbox/src/*.rs' 'vipps-om/src/*.rs' | sort | comm -23 - <(grep . <<<"$listed" | sort -u))
  gone=$(grep . <<<"$listed" | sort -u | while read -r f; do [ -e "$f" ] || echo "$f"; done)
  [ -z "$gone" ] || { echo "FAIL: scripts/mutants.sh names files that do not exist:"; echo "$gone"; exit 1; }
  if [ -n "$missing" ]; then
    echo "FAIL: source files in no mutation scope (add each to a scope, or to left_out with why):"; echo "$missing"; exit 1
  fi
  echo "every source file of the four crates is in a mutation scope ($(grep -c . <<<"$listed") named, ${#left_out[@]} of them left out with why)"
  exit 0
fi

if [ "${1:-}" = "--list" ]; then
  for s in "${scopes[@]}"; do IFS='|' read -r name package files tests <<<"$s"; echo "$name ($package): $files; $tests"; done
  exit 0
fi
if ! cargo mutants --version >/dev/null 2>&1; then
  echo "cargo-mutants is not installed: cargo install --locked cargo-mutants"; exit 2
fi

# --change [REV]: the change's mutants only, in place, bounded.
if [ "${1:-}" = "--change" ]; then
  rev=${2:-HEAD~1}
  if ! git rev-parse --verify --quiet "$rev^{commit}" >/dev/null; then
    echo "SKIP: mutation testing of the change: there is no $rev to compare with (a shallow or one-commit clone)"; exit 0
  fi
  diff=$(mktemp)
  git diff "$rev" -- '*.rs' > "$diff"
  export MUTANTS_DIFF="$diff" MUTANTS_IN_PLACE=1 CARGO_INCREMENTAL=1
  max=${MUTANTS_MAX:-40}
  listed=0
  for s in "${scopes[@]}"; do
    IFS='|' read -r name package files tests <<<"$s"
    largs=(--package "$package" --list --in-diff "$diff")
    for f in $files; do largs+=(--file "$f"); done
    list=$(cargo mutants "${largs[@]}") || { echo "FAIL: cargo mutants could not list the $name scope's mutants"; exit 1; }
    n=$(grep -c . <<<"$list" || true)
    listed=$((listed + n))
  done
  if [ "$listed" -eq 0 ]; then echo "mutants: the change since $rev touches no mutated code"; exit 0; fi
  if [ "$listed" -gt "$max" ]; then
    shards=$(( (listed + max - 1) / max ))
    # A different shard each day: over a week's changes, all of them.
    shard=$(( $(date +%j | sed 's/^0*//') % shards ))
    export MUTANTS_SHARD="$shard/$shards"
    echo "mutants: the change since $rev has $listed mutants; testing shard $shard of $shards (about $max); scripts/mutants.sh tests them all"
    echo "SKIP: mutation testing of the change: $((shards - 1)) of $shards shards of its $listed mutants (another shard each day)"
  else
    echo "mutants: the change since $rev has $listed mutants; testing all of them"
  fi
  shift $(( $# > 1 ? 2 : 1 ))
fi

wanted=("$@")
failed=0
totals=(0 0 0 0 0)
for s in "${scopes[@]}"; do
  IFS='|' read -r name package files tests <<<"$s"
  if [ "${#wanted[@]}" -gt 0 ] && [[ ! " ${wanted[*]} " == *" $name "* ]]; then continue; fi
  # The `mutants` profile (Cargo.toml) is the test profile without debug
  # information: the same code, linked faster.
  args=(--package "$package" --output "target/mutants-results/$name" --no-shuffle --profile mutants)
  # The emulator's own tests, and the SDK's that run on it.
  # cargo-mutants times its baseline on the mutated package alone (the
  # emulator's unit tests, a second), then runs both packages' tests for
  # each mutant (about a minute): a timeout from the baseline would count
  # every slow-but-passing run as a hang, so these scopes set their own.
  if [ "$package" = vipps-order-management-emulator ]; then
    args+=(--test-package vipps-order-management-emulator --test-package vipps-order-management --timeout 300)
  else
    args+=(--timeout-multiplier 3)
  fi
  for f in $files; do args+=(--file "$f"); done
  [ -n "${MUTANTS_DIFF:-}" ] && args+=(--in-diff "$MUTANTS_DIFF")
  [ -n "${MUTANTS_SHARD:-}" ] && args+=(--shard "$MUTANTS_SHARD")
  [ -n "${MUTANTS_RE:-}" ] && args+=(--re "$MUTANTS_RE")
  [ "${MUTANTS_IN_PLACE:-0}" = 1 ] && args+=(--in-place)
  [ "${MUTANTS_ITERATE:-0}" = 1 ] && args+=(--iterate)
  mkdir -p "target/mutants-results/$name"
  echo "== $name: $files"
  # The test targets go to every cargo command (--cargo-arg), so that a
  # mutant's build makes only the test binaries that run.
  # Not for the emulator's scopes: its tests run in two packages (its own
  # unit tests, and the SDK's tests that run on it), and cargo refuses a
  # `--test NAME` that one of the packages lacks. Every test target of the
  # two runs (the tests named in the scope are among them).
  if [ "$package" != vipps-order-management-emulator ]; then
    for t in $tests; do args+=("--cargo-arg=$t"); done
  fi
  set +e
  cargo mutants "${args[@]}"
  rc=$?
  set -e
  # A mutant that fails a property test makes proptest record its seed in
  # the tree; those seeds are of mutants, not of the code: put them back.
  if [ "${MUTANTS_IN_PLACE:-0}" = 1 ]; then
    git ls-files -z '*proptest-regressions*' | xargs -0 -r git checkout -q --
    git ls-files -z --others --exclude-standard '*proptest-regressions*' | xargs -0 -r rm -f --
  fi
  out="target/mutants-results/$name/mutants.out"
  count() { if [ -f "$out/$1.txt" ]; then wc -l < "$out/$1.txt"; else echo 0; fi; }
  # With --iterate, what earlier runs caught (or found unviable) is listed
  # apart, by the names it had then.
  c=$(count caught); m=$(count missed); t=$(count timeout); u=$(count unviable); p=$(count previously_caught)
  echo "== $name: caught $c, missed $m, timeout $t, unviable $u; earlier runs caught or found unviable $p (cargo-mutants exit $rc)"
  [ "$m" -gt 0 ] && sed 's/^/   MISSED: /' "$out/missed.txt"
  [ "$t" -gt 0 ] && sed 's/^/   TIMEOUT: /' "$out/timeout.txt"
  totals=($((totals[0] + c)) $((totals[1] + m)) $((totals[2] + t)) $((totals[3] + u)))
  # 0: all caught; 2: missed; 3: timeouts only (a hang is caught); 4: the
  # baseline failed. Any other code is a failure of the run.
  case $rc in
    0|3) ;;
    *) failed=1 ;;
  esac
done
echo "mutants: caught ${totals[0]}, missed ${totals[1]}, timeout ${totals[2]}, unviable ${totals[3]}"
exit "$failed"

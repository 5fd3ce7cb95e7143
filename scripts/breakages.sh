#!/usr/bin/env bash
# Breaks, on purpose, what a reviewer broke to find the suite's blind spots
# (issue 19), one breakage at a time: applies it to the tree, runs the
# tests that claim to cover it, restores the tree. Each must fail a test.
# Exits 1 when one passes (or its edit no longer applies: keep this script
# in step with the code). Needs python3. TESTING.md records the last run.
#   scripts/breakages.sh
set -uo pipefail
cd "$(dirname "$0")/.."
if ! git diff --quiet; then echo "the tree has changes: commit or stash them first"; exit 2; fi
status=0
run() { # name, file, python edit, cargo test args...
  local name=$1 file=$2 edit=$3; shift 3
  cp "$file" /tmp/breakage.bak
  python3 -c "$edit" "$file"
  if git diff --quiet -- "$file"; then echo "[$name] EDIT DID NOT APPLY"; cp /tmp/breakage.bak "$file"; status=1; return; fi
  cargo test "$@" >"target/breakage-$name.log" 2>&1
  # Caught means a test failed: a build the edit broke is not a catch.
  failed=$(grep -E '^test .* FAILED$' "target/breakage-$name.log" | sed 's/^test //; s/ \.\.\. FAILED$//' | head -3 | paste -sd ' ')
  if [ -n "$failed" ]; then
    echo "[$name] caught by: $failed"
  elif grep -q '^error\(\[E[0-9]*\]\)\?:' "target/breakage-$name.log"; then
    echo "[$name] THE EDIT DOES NOT BUILD (see target/breakage-$name.log)"; status=1
  else
    echo "[$name] NOT CAUGHT"; status=1
  fi
  cp /tmp/breakage.bak "$file"
  # A property test that failed records its case; that is not a change.
  git checkout -q -- '*.proptest-regressions' 2>/dev/null || true
}
E='import sys;p=sys.argv[1];s=open(p).read();a,b=A,B;assert a in s;open(p,"w").write(s.replace(a,b,1))'
run same_as_isReturn src/model/receipt_compare.rs "A='&& flag(self.is_return) == flag(other.is_return)';B='';$E" --test receipt_compare --test exactly_once --test errors --test reconcile
run no_receipt_ok src/api/order.rs "A='None => Err(unverified(None)),';B='None => Ok(ReceiptPosted { id: None, already_stored: true }),';$E" --test exactly_once --test errors --test reconcile
run budget_never_refilled src/transport/attempts.rs "A='gateway.budget.refill();';B='';$E" --test retries --test exactly_once
run console_unescaped vipps-om/src/console/marks.rs "A='(part)';B='(maud::PreEscaped(part))';$E" -p vipps-om --test console
run emulator_drop_no_store emulator/src/dispatch.rs "A='Some(mut acting) if acting.fault.when() == When::Before =>';B='Some(mut acting) if false =>';$E" --test exactly_once
git diff --quiet || { echo "the tree was not restored"; git status --short; exit 1; }
exit "$status"

# failure-digest.awk: from a failed test suite's output (prove's or a
# cmocka runner's), the lines that say why: each failed test with its next
# three diagnostic lines, a bail-out, prove's "Dubious" verdicts and its
# summary report, cmocka's failures and errors.  Prints nothing for output
# without any of them.
#
#   awk -f scripts/failure-digest.awk SUITE.log
/^#   Failed test/ { n = 4 }
/^# / && n > 0 { print; n--; next }
/^Bailout called|Bail out!|^Dubious|^\[  (FAILED|ERROR) / { print }
/^Test Summary Report/ { report = 1; next }
report && /^(Files=|Result:)/ { report = 0 }
report && !/^-+$/ { print }

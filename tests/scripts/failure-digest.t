# The digest scripts/run-tests.sh prints before its summary for each
# failed suite (scripts/failure-digest.awk): from real prove output and a
# cmocka runner's, the failed tests with their diagnostics and prove's
# report; nothing from a suite that passed.
use strict;
use warnings;
use FindBin;
use File::Temp qw(tempdir);
use Test::More;

my $awk = "$FindBin::Bin/../../scripts/failure-digest.awk";
my $dir = tempdir(CLEANUP => 1);

# spew(NAME, TEXT): writes $dir/NAME.
sub spew { my ($f, $t) = @_; open my $fh, '>', "$dir/$f" or die "$f: $!"; print $fh $t; close $fh }

# digest(TEXT): the digest of TEXT as a suite's output.
sub digest { spew('suite.log', $_[0]); return scalar qx{awk -f '$awk' '$dir/suite.log'} }

spew('fails.t', <<'T');
use Test::More;
ok(1, 'nginx answers');
diag('a figure line of a passing check');
is(5, 6, 'every upload was stored');
ok(1, 'and published');
done_testing;
T
spew('passes.t', "use Test::More; ok(1, 'fine'); diag('only a figure'); done_testing;\n");
spew('bails.t', "use Test::More; BAIL_OUT('not built: the module');\n");

my $failed = digest(scalar qx{cd '$dir' && prove fails.t passes.t 2>&1});
like($failed, qr/^#   Failed test 'every upload was stored'\n#   at fails\.t line 4\.\n#          got: '5'\n#     expected: '6'\n/m,
     'a failed test with its place and its got/expected');
like($failed, qr/^fails\.t \(Wstat: \d+ .*Failed: 1\)\n  Failed test:  2\n/m, "prove's report names the file and the test");
unlike($failed, qr/figure line|only a figure|passes\.t|^-+$|Result:|Files=/m,
       'not the diagnostics of passing checks, nor the other files, rulers or totals');

is(digest(scalar qx{cd '$dir' && prove passes.t 2>&1}), '', 'a suite that passed has no digest');
like(digest(scalar qx{cd '$dir' && prove bails.t 2>&1}), qr/^Bailout called\.  Further testing stopped:  not built: the module$/m,
     'a bail-out and its reason');

my $cmocka = "[==========] tests: Running 2 test(s).\n[ RUN      ] test_a\n[       OK ] test_a\n[ RUN      ] test_b\n"
           . "[  ERROR   ] --- 0x5 != 0x6\n[   LINE   ] --- test_x.c:12: error: Failure!\n[  FAILED  ] test_b\n"
           . "[==========] tests: 2 test(s) run.\n[  PASSED  ] 1 test(s).\n[  FAILED  ] 1 test(s), listed below:\n";
is(digest($cmocka), "[  ERROR   ] --- 0x5 != 0x6\n[  FAILED  ] test_b\n[  FAILED  ] 1 test(s), listed below:\n",
   "cmocka's errors and failures");
done_testing();

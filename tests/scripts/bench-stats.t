# The bench's arithmetic (bench/stats.py): medians with their range, the
# ratios of runs taken in the same turn, verdicts.  Logic, not timing:
# fixed figures in, known text out.
use strict;
use warnings;
use FindBin;
use Test::More;

my $bench = "$FindBin::Bin/../../bench";

# py(EXPR): EXPR evaluated by python3 with bench/stats.py importable.
sub py {
    my ($expr) = @_;
    my $out = qx{python3 -c 'import sys; sys.path.insert(0, "$bench"); from stats import *; print($expr)' 2>&1};
    chomp $out;
    return $out;
}

is(py('spread([3.0, 1.0, 2.0, 10.0, 4.0])'), '3.00 (1.00–10.00)',
   'a spread is the median with the min and max, not the best');
is(py('med({"samples": [{"cpu": 5}, {"cpu": 1}, {"cpu": 3}]}, "cpu")'), '3',
   'a row figure is the median of its runs');
is(py('paired({"samples": [{"cpu": 1.0}, {"cpu": 4.0}]}, {"samples": [{"cpu": 2.0}, {"cpu": 2.0}]}, "cpu")'),
   '[0.5, 2.0]', 'ratios pair run i of one row with run i of the other');
is(py('paired({"samples": [{"cpu": 1.0}, {"cpu": 4.0}]}, {"samples": [{"cpu": 0}, {"cpu": 2.0}]}, "cpu")'),
   '[2.0]', 'a zero figure is left out, not divided by');
like(py('spread([])'), qr/ValueError: spread of no figures/, 'no figures is an error, not a zero');
is(py('verdict(True) + verdict(False)'), '**met****missed**', 'verdicts');

# docs/benchmarks.md has three owners: each rewrites only its sections
my $doc = py(q{__import__("docsection").join(*__import__("docsection").split("# B\\nmain\\n\\n## End to end (bench-e2e)\\n\\ne2e\\n\\n## At the door (bench-ingress)\\n\\ningress\\n")).replace("\\n", "|")});
is($doc, '# B|main||## At the door (bench-ingress)||ingress||## End to end (bench-e2e)||e2e|',
   'the owned sections are kept, in their order, after the main part');
my $swap = py(q{(lambda d: d.join("# new\\n", d.split("# old\\n\\n## End to end (bench-e2e)\\n\\nkept\\n")[1]))(__import__("docsection")).replace("\\n", "|")});
is($swap, '# new||## End to end (bench-e2e)||kept|', 'a new main part keeps the others\' sections');
done_testing();

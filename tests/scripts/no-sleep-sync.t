# Tests wait on conditions, not on fixed sleeps (docs/contributing.md,
# "Tests").  Every sleep in a test file (perl sleep/select, C usleep,
# nanosleep, shell sleep) must say what it is, on its own line or the
# line before:
#   poll:    the interval of a bounded loop that waits for a condition
#            (a postfix `... until COND` / `... while COND` on the same
#            line says so by itself);
#   pacing:  part of the scenario (a rate, an outage's length), not a
#            synchronisation.
# A bare sleep fails with its file and line.
use strict;
use warnings;
use File::Find;
use FindBin;
use Test::More;

my $root = "$FindBin::Bin/../..";
my @files;
find({ no_chdir => 1, wanted => sub {
    push @files, $File::Find::name
        if -f && /\.(t|pm|pl|c|h|sh)$/ && !m{/tests/fuzz/corpus/};
} }, "$root/t", "$root/tests");

my $sleep = qr/\b(?:Time::HiRes::)?(?:sleep|usleep|nanosleep)\b\s*[\(\d\$]|\bselect\s*\(?\s*undef/;
my @bare;
for my $f (sort @files) {
    open my $fh, '<', $f or die "$f: $!";
    my $prev = '';
    while (my $line = <$fh>) {
        if ($line =~ $sleep && $line !~ /^\s*(#|\*|\/\/)/) {
            my $said = "$prev$line" =~ /\b(poll|pacing):/
                    || $line =~ /\bsleep\b.*\b(until|while)\b/;
            (my $rel = $f) =~ s{^\Q$root\E/}{};
            push @bare, "$rel:$.: $line" unless $said;
        }
        $prev = $line;
    }
}
is(scalar @bare, 0, 'every sleep in a test is a poll interval or pacing')
    or diag("bare sleeps (wait on a condition instead, or mark them):\n", @bare);
done_testing();

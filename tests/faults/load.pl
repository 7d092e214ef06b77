#!/usr/bin/perl
# Load run: N uploads (default 10000) at concurrency C (default 32) against
# an isolated local stack (tests/faults/lib/PrismFaultStack.pm), then waits
# until every derivative set exists.  Reports errors, lost and duplicated
# outputs, uploads/s, and the end-to-end latency (upload answered 201 ->
# its last derivative stored, from prism-host's "stored" log lines) p50/p99.
# Exit status 0 only with zero errors, zero lost, zero duplicated.
#
#   perl tests/faults/load.pl [-n N] [-c C] [--workers W]
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Getopt::Long;
use HTTP::Tiny;
use JSON::PP;
use POSIX qw(floor);
use Time::HiRes qw(time sleep);
use Time::Local qw(timegm);
use PrismFaultStack;

my ($n, $c, $workers, $timeout) = (10000, 32, 2, 900);
GetOptions('n=i' => \$n, 'c=i' => \$c, 'workers=i' => \$workers, 'timeout=i' => \$timeout)
    or die "usage: $0 [-n N] [-c C] [--workers W] [--timeout S]\n";
my $missing = PrismFaultStack::missing_parts();
die "not built: $missing\n" if $missing;

my @images = map { my $p = "$FindBin::Bin/../data/images/$_"; local $/; open my $fh, '<', $p or die "$p: $!"; scalar <$fh> }
             qw(jpeg-baseline-420.jpg jpeg-progressive.jpg jpeg-gray.jpg png-rgb.png png-palette.png);
my $s = PrismFaultStack->new('load', visibility => 30, workers => $workers, wait_time => 20)->start;
my $url = $s->upload_url;
my $out = $s->dir . '/load';
mkdir $out;

printf "load: %d uploads, concurrency %d, prism-host %d workers, %d cores\n", $n, $c, $workers,
    scalar(() = `cat /proc/cpuinfo` =~ /^processor/mg);
my $t0 = time;
my @kids;
for my $w (0 .. $c - 1) {
    my $pid = fork // die "fork: $!";
    if ($pid == 0) {
        my $http = HTTP::Tiny->new(timeout => 60, keep_alive => 1);
        open my $fh, '>', "$out/$w" or die;
        for (my $i = $w; $i < $n; $i += $c) {
            my $r = $http->post($url, { content => $images[$i % @images],
                                        headers => { 'Content-Type' => 'application/octet-stream' } });
            my $key = $r->{status} == 201 ? (eval { decode_json($r->{content})->{key} } // '-') : '-';
            printf $fh "%d %s %.6f\n", $r->{status}, $key, time;
        }
        close $fh;
        POSIX::_exit(0);
    }
    push @kids, $pid;
}
waitpid($_, 0) for @kids;
my $t_up = time - $t0;

my (%status, %t201, @keys);
for my $w (0 .. $c - 1) {
    open my $fh, '<', "$out/$w" or die;
    while (<$fh>) {
        my ($st, $key, $t) = split;
        $status{$st}++;
        next unless $st == 201;
        push @keys, $key;
        $t201{ PrismFaultStack::derived_base($key) } = $t;
    }
}
my $errors = $n - ($status{201} // 0);
printf "load: uploads done in %.1f s: %.0f uploads/s; statuses %s\n", $t_up, $n / $t_up,
    join(', ', map { "$_ x$status{$_}" } sort keys %status);

# wait until every derivative set is stored (counted from the log, then
# checked once against the bucket)
my $log = $s->dir . '/host.log';
my (%last, %count, $first);
my $pos = 0;
my $done = 0;
my $deadline = time + $timeout;
while (time < $deadline) {
    open my $fh, '<', $log or die "$log: $!";
    seek $fh, $pos, 0;
    while (my $line = <$fh>) {
        last unless $line =~ /\n$/;
        $pos += length $line;
        next unless $line =~ /^(\d+)-(\d+)-(\d+)T(\d+):(\d+):(\d+(?:\.\d+)?)Z .* stored (\S+)\/([^\/]+)\/[^\/ ]+ /;
        my $t = timegm(0, $5, $4, $3, $2 - 1, $1) + $6;
        my $base = $7;
        $count{$base}{$8}++;
        $first = $t if !defined $first || $t < $first;
        $last{$base} = $t if !defined $last{$base} || $t > $last{$base};
    }
    close $fh;
    $done = grep { my $b = $_; my $m = $count{$b}; $m && 3 == keys %$m } keys %t201;
    last if $done == keys %t201;
    sleep 1;    # poll: until the condition holds or the deadline
}
my $t_all = time - $t0;
my $f = $s->figures(\@keys);
my @lat = sort { $a <=> $b } map { $last{$_} - $t201{$_} } grep { defined $last{$_} } keys %t201;
my $pct = sub { @lat ? $lat[ floor($_[0] * $#lat) ] : -1 };
my $lost = @keys - $f->{sets};
my $dups = $f->{derived} - $f->{distinct};
my $reruns = $f->{runs} - 3 * @keys;
printf "load: first derivative stored %.1f s after the start; all derivative sets after %.1f s (%.0f uploads/s end to end)\n",
    ($first // $t0) - $t0, $t_all, @keys / $t_all;
print PrismFaultStack::line('load', $n, scalar @keys, $f), "\n";
printf "load: errors=%d lost=%d duplicated_keys=%d plugin_reruns=%d dlq=%d\n", $errors, $lost, $dups, $reruns, $f->{dlq};
printf "load: end-to-end latency (201 -> last derivative stored) p50=%.3f s p99=%.3f s max=%.3f s (n=%d)\n",
    $pct->(0.50), $pct->(0.99), $pct->(1), scalar @lat;
$s->stop;
exit($errors || $lost || $dups || $f->{dlq} || $f->{stray} ? 1 : 0);

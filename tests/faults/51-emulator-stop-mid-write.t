# Fault (e, the emulator's side): the AWS emulator, persisting its state
# (PRISM_AWS_PERSIST=1), is stopped by scripts/local-aws.sh (SIGTERM) in
# the middle of its work and started again.  fauxqs persists an S3 object
# as two files written within one turn of Node's event loop; ended by the
# signal's default action between the two, it left an empty .meta.json
# that made its next start fail ("Unexpected end of JSON input").  So:
# the emulators' Node ends on SIGTERM only between two turns (checked on a
# turn that lasts 1.5 s, deterministically), local-aws.sh runs the
# emulators so, and stopped while clients write objects as fast as they
# can, the emulator starts again each time with every object it answered
# 200.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use HTTP::Tiny;
use POSIX ();
use Test::More;
use Time::HiRes qw(sleep);
use PrismFaultStack;

my $ROUNDS = 3;     # stops and starts while writing
my $WRITERS = 4;    # clients writing at once
my $ROOT = PrismFaultStack::root();
my $node = "$ROOT/.local/emulator/node_modules/.bin/node";
my $preload = "$ROOT/conf/local-aws/graceful-stop.cjs";
BAIL_OUT("the emulators' Node is not installed: scripts/deps.sh") unless -x $node;
my $s = PrismFaultStack->new('emulator-stop-mid-write', persist => 1);
my $dir = $s->dir . '/acked';
mkdir $dir or die "$dir: $!";

# SIGTERM during a turn of the event loop: the turn ends, then the process.
my $turn = $s->dir . '/turn';
mkdir $turn or die "$turn: $!";
my $pid = fork // die "fork: $!";
if ($pid == 0) {
    exec($node, '--require', $preload, '-e', 'const fs = require("node:fs"), d = process.argv[1];'
         . 'fs.writeFileSync(d + "/started", ""); for (const end = Date.now() + 1500; Date.now() < end;);'
         . 'fs.writeFileSync(d + "/finished", "");', $turn) or POSIX::_exit(127);
}
PrismFaultStack::wait_for(10, sub { -e "$turn/started" });
kill 'TERM', $pid;
waitpid($pid, 0);
my $status = $?;
ok(-e "$turn/finished", 'SIGTERM in the middle of a turn: the turn finished its writes');
is($status, 0, '... and the process exited 0, not on the signal');

$s->start_aws;
my $fq = do { local @ARGV = $s->dir . '/aws/emulator.pid'; my $p = <>; chomp $p; $p };
my $cmdline = do { local (@ARGV, $/) = "/proc/$fq/cmdline"; <> } // '';
like($cmdline, qr/\0--require\0\Q$preload\E\0/, 'local-aws.sh runs fauxqs with that preload');

# writer(ROUND, W): PutObject of new 48 KiB objects, one after another,
# until its connection fails (the emulator stopped) or 20 s passed; the
# key of each one answered 200 goes to $dir/ROUND-W.
sub writer {
    my ($round, $w) = @_;
    my $http = HTTP::Tiny->new(timeout => 5);
    open my $log, '>', "$dir/$round-$w" or POSIX::_exit(1);
    $log->autoflush(1);
    my $until = time + 20;
    for (my $i = 0; time < $until; $i++) {
        my $key = "stop-test/$round/$w/$i";
        my $r = $http->request('PUT', $s->endpoint . "/prism-derived/$key",
                               { content => chr(65 + $i % 26) x 49152 });
        last if $r->{status} == 599;
        print $log "$key\n" if $r->{status} == 200;
    }
    POSIX::_exit(0);
}

my ($started, $acked, $lost) = (0, 0, 0);
for my $round (1 .. $ROUNDS) {
    my @kids;
    for my $w (1 .. $WRITERS) {
        my $pid = fork // die "fork: $!";
        writer($round, $w) if $pid == 0;
        push @kids, $pid;
    }
    # the writers are under way once the first of them has its first 200
    PrismFaultStack::wait_for(10, sub { grep { -s } glob "$dir/$round-*" });
    sleep 0.2 + 0.1 * $round;    # pacing: some more writes, a different moment each round
    $s->local_aws('stop');
    waitpid($_, 0) for @kids;
    if ($s->local_aws('start')) {
        $started++;
    } else {
        diag("round $round: the emulator did not start again:\n"
             . `tail -n 12 '@{[ $s->dir ]}/aws/emulator.log'`);
        last;
    }
    my %listed = map { $_ => 1 } $s->list_keys('prism-derived', "stop-test/$round/");
    my @acked = map { local @ARGV = $_; map { chomp; $_ } <> } glob "$dir/$round-*";
    $acked += @acked;
    $lost += grep { !$listed{$_} } @acked;
}
is($started, $ROUNDS, "the emulator started again after each of $ROUNDS stops in the middle of writes");
cmp_ok($acked, '>', 0, 'objects were acknowledged before the stops');
is($lost, 0, 'every object answered 200 is still there after the restart');

# a write cut by a hard kill or a crash (an empty .meta.json): the next
# start drops that object, says so, and keeps the others
$s->put_object('prism-derived', "stop-test/cut/$_", "object $_") for 1 .. 2;
$s->local_aws('stop');
my ($meta) = grep { m{/stop-test/cut/1[^/]*\.meta\.json$} } `find '@{[ $s->dir ]}/aws/data/s3' -name '*.meta.json'` =~ /^(.+)$/mg;
ok($meta && truncate($meta, 0), 'one object\'s .meta.json emptied, as by a cut write');
ok($s->local_aws('start'), 'the emulator starts again');
is_deeply([ sort $s->list_keys('prism-derived', 'stop-test/cut/') ], ['stop-test/cut/2'], 'without that object, with the other');
like(do { local (@ARGV, $/) = $s->dir . '/aws/local-aws.out'; <> },
     qr{local-aws: dropped an object whose write was cut: .*stop-test/cut/1}, 'and says so');
diag("emulator stopped mid-write: rounds=$ROUNDS started_again=$started acked=$acked lost=$lost");
done_testing;

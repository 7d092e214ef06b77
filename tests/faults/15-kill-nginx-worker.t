# Fault (j): nginx workers killed under load.  nginx runs 2 workers with
# prism_outbox; 300 uploads at concurrency 8 while 4 nginx workers are
# killed with SIGKILL, spread over the run (the master respawns them).
# SNS is reached through a stock nginx proxy with limit_req, so that each
# publish waits a little and a killed worker always has uploads whose
# original is stored and whose event is not yet published.  Once the
# killed workers' intents are past their grace (4 s here) the replay
# resolves them: afterwards no original in the ingest bucket may lack its
# complete derivative set (no orphan), every 201 has its set, the DLQs
# are empty and no intent is left in the spool.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use HTTP::Tiny;
use JSON::PP;
use POSIX ();
use Time::HiRes qw(time sleep);
use PrismFaultStack;

my $missing = PrismFaultStack::missing_parts();
BAIL_OUT("not built: $missing (make test-faults builds everything first)") if $missing;

my ($n, $c, $kills) = (300, 8, 4);

my $port = PrismFaultStack::free_port();
my $s = PrismFaultStack->new('kill-nginx-worker', visibility => 4,
                             sns_endpoint => "http://127.0.0.1:$port");
my $outbox = $s->dir . '/nginx/outbox';
$s->{nginx_http} = "prism_outbox $outbox;";
$s->{nginx_loc} = 'prism_intent_grace 4s;';

# the slow SNS: requests queued by limit_req at 25 per second
my $pdir = $s->dir . '/proxy';
mkdir $pdir; mkdir "$pdir/logs";
my $user = $> == 0 ? 'user root;' : '';
open my $fh, '>', "$pdir/nginx.conf" or die;
print $fh <<EOC;
$user
worker_processes 1;
pid logs/nginx.pid;
error_log logs/error.log;
events { worker_connections 256; }
http {
    access_log off;
    client_body_temp_path logs/body;
    proxy_temp_path logs/proxy;
    limit_req_zone \$server_name zone=sns:1m rate=25r/s;
    server {
        listen 127.0.0.1:$port;
        location / {
            limit_req zone=sns burst=1000;
            proxy_pass @{[ $s->endpoint ]};
            proxy_http_version 1.1;
        }
    }
}
EOC
close $fh;
$s->start_aws;
system('/usr/sbin/nginx', '-p', "$pdir/", '-c', 'nginx.conf', '-e', 'logs/error.log') == 0
    or BAIL_OUT('proxy did not start');
END { if (open my $p, '<', "$pdir/logs/nginx.pid") { my $pid = <$p>; chomp $pid; kill 'TERM', $pid if $pid } }
$s->start_nginx;
$s->start_host;

my @images = map { my $p = "$FindBin::Bin/../data/images/$_"; local $/; open my $f, '<', $p or die "$p: $!"; scalar <$f> }
             qw(jpeg-baseline-420.jpg jpeg-progressive.jpg jpeg-gray.jpg png-rgb.png png-palette.png);

# nginx_workers(): pids of the stack's nginx master's children
sub nginx_workers {
    my $master = $s->nginx_pid or return ();
    my @w;
    for my $stat (glob '/proc/[0-9]*/stat') {
        open my $f, '<', $stat or next;
        my $line = <$f> // next;
        my ($pid, $ppid) = $line =~ /^(\d+) \(.*\) \S+ (\d+)/ or next;
        push @w, $pid if $ppid == $master;
    }
    return @w;
}

my $out = $s->dir . '/load';
mkdir $out;
my $url = $s->upload_url;
my @kids;
for my $w (0 .. $c - 1) {
    my $pid = fork // die "fork: $!";
    if ($pid == 0) {
        my $http = HTTP::Tiny->new(timeout => 30, keep_alive => 0);
        open my $o, '>', "$out/$w" or die;
        $o->autoflush(1);
        for (my $i = $w; $i < $n; $i += $c) {
            my $r = $http->post($url, { content => $images[$i % @images],
                                        headers => { 'Content-Type' => 'application/octet-stream' } });
            my $key = $r->{status} == 201 ? (eval { decode_json($r->{content})->{key} } // '-') : '-';
            printf $o "%d %s\n", $r->{status}, $key;
        }
        close $o;
        POSIX::_exit(0);
    }
    push @kids, $pid;
}

# kill a worker each time another n/(kills+1) uploads were answered
sub answered { my $t = 0; for my $w (0 .. $c - 1) { open my $f, '<', "$out/$w" or next; $t++ while <$f> } return $t }
my ($killed, $t0) = (0, time);
while ($killed < $kills && time - $t0 < 120) {
    if (answered() >= ($killed + 1) * $n / ($kills + 1)) {
        my @w = nginx_workers();
        if (@w) {
            kill 'KILL', $w[$killed % @w];
            $killed++;
            note "killed nginx worker $w[($killed - 1) % @w] after " . answered() . " answers";
        }
    }
    sleep 0.05;    # pacing: how often the kills are considered while the load runs
}
waitpid($_, 0) for @kids;
is($killed, $kills, "$kills nginx workers killed during the run");

my (%status, @keys);
for my $w (0 .. $c - 1) {
    open my $f, '<', "$out/$w" or die;
    while (<$f>) {
        my ($st, $key) = split;
        $status{$st}++;
        push @keys, $key if $st == 201;
    }
}
note 'statuses: ' . join(', ', map { "$_ x$status{$_}" } sort keys %status);

sub intents { opendir my $d, $outbox or return 0; return scalar grep { /^[^.].*\.intent$/ } readdir $d }

# wait until every original in the ingest bucket has its complete set
# and the killed workers' intents are resolved (the intents' grace, the
# replay, the host), or give up: a worker killed after its publish left
# an original with its set at once, and its intent until the replay
my ($f, @ingest);
PrismFaultStack::wait_for(60, sub {
    @ingest = $s->list_keys('prism-ingest', 'originals/');
    $f = $s->figures(\@ingest);
    $f->{sets} == @ingest && intents() == 0;
});
my $orphans = @ingest - $f->{sets};
my $ok = $s->figures(\@keys);
my $metrics = HTTP::Tiny->new->get('http://127.0.0.1:' . $s->{http_port} . '/prism-status')->{content} // '';
my %intent = $metrics =~ /^prism_intents_total\{result="(\w+)"\} (\d+)$/mg;
diag(PrismFaultStack::line('kill -9 nginx worker', $n, scalar @keys, $ok)
     . sprintf(' kills=%d ingest=%d orphans=%d intents_left=%d intents=%s', $killed, scalar @ingest,
               $orphans, intents(), join(',', map { "$_:$intent{$_}" } sort keys %intent)));
is($orphans, 0, 'no orphan: every original in the ingest bucket has its complete derivative set');
is($ok->{sets}, scalar @keys, 'every 201 has its complete derivative set');
cmp_ok(scalar @keys, '>=', $n - 8 * $kills, 'the uploads not cut by a kill answered 201');
is($f->{dlq}, 0, 'nothing dead-lettered');
is(intents(), 0, 'no intent left in the spool');
done_testing;

# Fault: the request is freed while the upload's state machine runs.
# nginx runs under valgrind (one process), the originals go to
# prism_local_dir and the event to a stand-in SNS endpoint.  Answering
# finalizes the request, which frees it at once when the answer is written
# whole (keep-alive): the first uploads' Publish is answered after a
# pause.  When the client has reset the connection (SO_LINGER 0) before
# the answer, the write fails and the request is terminated: for the
# other uploads the client resets once the stand-in holds their Publish
# (the upload is stored by then), and the stand-in answers only after the
# reset.  In both cases nothing of the request may be touched afterwards
# (valgrind: no invalid read or write), and every upload is stored and
# published.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use File::Path qw(make_path remove_tree);
use IO::Socket::INET;
use POSIX qw(WNOHANG);
use Socket qw(SOL_SOCKET SO_LINGER);
use Test::More;
use Time::HiRes qw(time sleep);
use PrismFaultStack;

my $ROOT = PrismFaultStack::root();
my $module = "$ROOT/build/nginx/objs/ngx_http_prism_module.so";
BAIL_OUT("not built: $module (make module)") unless -s $module;
my $valgrind = `sh -c 'command -v valgrind'`;
chomp $valgrind;
BAIL_OUT('valgrind is not installed (scripts/deps.sh installs it)') unless $valgrind;

my $N = 3;           # uploads of each kind, one after another
my $PAUSE = 0.5;     # the stand-in's pause before each Publish answer (s)
my $dir = "$ROOT/build/faults/client-reset-$$";
remove_tree($dir);
make_path("$dir/nginx/logs", "$dir/nginx/tmp", "$dir/store");
my ($port, $sns_port) = (PrismFaultStack::free_port(), PrismFaultStack::free_port());
my (@pids, $nginx);
END {
    local $?;
    kill 'KILL', $_ for grep { $_ } @pids;
    waitpid($_, 0) for grep { $_ } @pids;
}

sub slurp { my ($f) = @_; open my $fh, '<', $f or return ''; local $/; return scalar <$fh> }

# lines(FILE): how many lines FILE has (0 if it does not exist).
sub lines { my @l = slurp($_[0]) =~ /^.+$/mg; return scalar @l }

# The stand-in SNS, one connection at a time: notes each Publish it holds
# (a line in $dir/received), answers the first $N after $PAUSE and each
# later one once the client has reset its upload (a line per reset in
# $dir/released; 15 s at most), with a fixed PublishResponse, and counts
# the answers (a line each in $dir/publishes); exits after 120 s at most.
my $listen = IO::Socket::INET->new(Listen => 16, LocalAddr => "127.0.0.1:$sns_port", Proto => 'tcp',
                                   ReuseAddr => 1) or BAIL_OUT("stand-in SNS: $!");
my $sns = fork() // die "fork: $!";
if ($sns == 0) {
    my $until = time + 120;
    $SIG{ALRM} = sub { POSIX::_exit(0) };
    alarm 120;
    while (time < $until) {
        my $c = $listen->accept or next;
        my ($req, $len) = ('', undef);
        while ($req !~ /\r\n\r\n/ || length($req) < $len) {
            my $n = sysread($c, my $buf, 65536) or last;
            $req .= $buf;
            $len = $req =~ /^Content-Length:\s*(\d+)/mi ? index($req, "\r\n\r\n") + 4 + $1 : 1 << 30
                if $req =~ /\r\n\r\n/;
        }
        my $held = lines("$dir/received") + 1;
        if (open my $r, '>>', "$dir/received") { print $r "$held\n"; close $r }
        if ($held <= $N) {
            sleep $PAUSE;    # pacing: the slow endpoint's pause
        } else {
            my $limit = time + 15;
            sleep 0.02 while lines("$dir/released") < $held - $N && time < $limit;    # poll: until the reset
        }
        if (open my $p, '>>', "$dir/publishes") { print $p "$1\n" if $req =~ /^(\S+ \S+)/; close $p }
        my $body = '<PublishResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><PublishResult>'
                 . '<MessageId>00000000-0000-4000-8000-000000000000</MessageId></PublishResult>'
                 . '<ResponseMetadata><RequestId>stand-in</RequestId></ResponseMetadata></PublishResponse>';
        print $c "HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nContent-Length: " . length($body)
               . "\r\nConnection: close\r\n\r\n$body";
        close $c;
    }
    POSIX::_exit(0);
}
push @pids, $sns;
close $listen;

my $user = $> == 0 ? 'user root;' : '';
open my $fh, '>', "$dir/nginx/nginx.conf" or die;
print $fh <<EOC;
load_module $module;
$user
daemon off;
master_process off;
error_log logs/error.log info;
pid logs/nginx.pid;
thread_pool prism threads=1;
events { worker_connections 64; }
http {
@{[ PrismFaultStack::temp_paths() ]}    access_log off;
    prism_region us-east-1;
    prism_sns_endpoint http://127.0.0.1:$sns_port;
    prism_credentials env;
    prism_thread_pool prism;
    server {
        listen 127.0.0.1:$port;
        location = /upload {
            prism_upload on;
            prism_store local;
            prism_local_dir $dir/store;
            prism_sns_topic_arn arn:aws:sns:us-east-1:111122223333:prism-uploads;
            prism_publish_timeout 20s;
        }
    }
}
EOC
close $fh;

$nginx = fork() // die "fork: $!";
if ($nginx == 0) {
    %ENV = (%ENV, AWS_ACCESS_KEY_ID => 'AKIDRESETTEST', AWS_SECRET_ACCESS_KEY => 'reset-test-secret',
            AWS_EC2_METADATA_DISABLED => 'true');
    delete @ENV{qw(AWS_PROFILE AWS_SESSION_TOKEN)};
    exec($valgrind, '-q', '--error-exitcode=99', '--leak-check=no', "--log-file=$dir/valgrind.log",
         '/usr/sbin/nginx', '-p', "$dir/nginx/", '-c', 'nginx.conf', '-e', 'logs/error.log')
        or POSIX::_exit(127);
}
push @pids, $nginx;
ok(PrismFaultStack::wait_for(60, sub { IO::Socket::INET->new("127.0.0.1:$port") }),
   'nginx answers under valgrind') or BAIL_OUT(slurp("$dir/nginx/logs/error.log"));

my $img = slurp("$ROOT/tests/data/images/png-rgb.png");
my $request = "POST /upload HTTP/1.1\r\nHost: localhost\r\nContent-Type: image/png\r\n"
            . "Content-Length: " . length($img) . "\r\n\r\n$img";
my $created = 0;
for my $i (1 .. $N) {
    my $c = IO::Socket::INET->new(PeerAddr => "127.0.0.1:$port", Timeout => 30) or die "connect: $!";
    print $c $request;
    my $answer = '';
    while ($answer !~ /\r\n\r\n.*\}/s) {
        sysread($c, my $buf, 4096) or last;
        $answer .= $buf;
    }
    $created++ if $answer =~ m{^HTTP/1\.1 201 };
    close $c;
}
is($created, $N, "$N uploads answered 201 (the request freed by the answer)");

my $reset_held = 0;
for my $i (1 .. $N) {
    my $c = IO::Socket::INET->new("127.0.0.1:$port") or die "connect: $!";
    print $c $request;
    $reset_held++ if PrismFaultStack::wait_for(60, sub { lines("$dir/received") >= $N + $i });
    setsockopt($c, SOL_SOCKET, SO_LINGER, pack('ii', 1, 0)) or die "SO_LINGER: $!";
    close $c;     # a reset, before the answer
    open my $r, '>>', "$dir/released" or die "$dir/released: $!";
    print $r "$i\n";
    close $r;
}
is($reset_held, $N, "the stand-in held each reset upload's Publish (the upload stored) before the reset");

my $log = "$dir/nginx/logs/error.log";
my $resets = sub { my @m = slurp($log) =~ /(?:writev|send)\(\) failed \((?:104|32): /g; scalar @m };
ok(PrismFaultStack::wait_for(30 + $N * $PAUSE, sub { $resets->() >= $N }),
   "$N answers met reset connections") or diag(slurp($log));
my %files = map { $_ => 1 } grep { -f } `find $dir/store -type f` =~ /^(.+)$/mg;
is(scalar keys %files, 2 * $N, 'every upload was stored');
my @publishes = slurp("$dir/publishes") =~ /^POST /mg;
is(scalar @publishes, 2 * $N, 'and published');
unlike(slurp($log), qr/\[(alert|emerg|crit)\]|signal \d+/, 'no alert, no crash');

kill 'QUIT', $nginx;
my $until = time + 60;
my $status;
while (time < $until) {
    if (waitpid($nginx, WNOHANG) == $nginx) { $status = $?; last }
    sleep 0.1;    # poll: until nginx has exited
}
@pids = grep { $_ != $nginx } @pids if defined $status;
is($status, 0, 'nginx exits 0 under valgrind (no error found)');
my $vg = slurp("$dir/valgrind.log");
unlike($vg, qr/Invalid (read|write)|uninitialised|Jump to/, 'valgrind: no invalid access') or diag($vg);

remove_tree($dir) if Test::More->builder->is_passing;
done_testing();

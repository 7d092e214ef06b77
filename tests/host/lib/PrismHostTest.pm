# PrismHostTest — helpers for the prism-host end-to-end suites (tests/host/*.t).
#
# Talks to the local AWS emulator directly (SQS JSON 1.0 and S3 path-style
# over HTTP::Tiny; the emulator does not check signatures), so the oracle
# of a test is independent of the code under test.  Starts prism-host in
# its own process group and kills whatever is left at exit.
#
# Environment:
#   PRISM_AWS_ENDPOINT  emulator (default http://127.0.0.1:4566); started with
#                       scripts/local-aws.sh when down, and stopped again at exit
#   PRISM_HOST_BIN      the prism-host binary (default build/prism-host), e.g. a
#                       sanitized build; PRISM_RUN_PLUGIN_BIN likewise
#   VALGRIND=1          run prism-host (master and workers) under valgrind;
#                       each suite then fails on any valgrind error
package PrismHostTest;

use strict;
use warnings;
use Cwd qw(getcwd);
use Exporter 'import';
use File::Temp qw(tempdir);
use HTTP::Tiny;
use JSON::PP;
use POSIX qw(:sys_wait_h setpgid);
use Test::More;
use Time::HiRes qw(time sleep);

our @EXPORT = qw(
    root tmpdir uniq json plugin_path
    create_queue send_message receive_messages queue_depth aws_setup account
    create_bucket put_object get_object
    prism_event sns_wrap simple_event
    write_config start_host stop_host host_log wait_log wait_for
    metrics_text run_cmd memcheck
);

my $ROOT = getcwd();
my $ENDPOINT = $ENV{PRISM_AWS_ENDPOINT} || 'http://127.0.0.1:4566';
my $http = HTTP::Tiny->new(timeout => 30);
my $json = JSON::PP->new->canonical->allow_nonref;
my $started_emulator = 0;
my (@hosts, @queues, @vg_logs, $account);
my $TMP = tempdir('prism-host-test-XXXXXX', TMPDIR => 1, CLEANUP => !$ENV{KEEP_TMP});

sub root     { $ROOT }
sub tmpdir   { $TMP }
sub json     { $json }

# uniq(TAG): a name unique to this run ("ph-1234-tag").
sub uniq { my ($tag) = @_; return "ph-$$-$tag" }

# plugin_path(NAME): build/test-plugins/NAME.so, failing when it is missing.
sub plugin_path {
    my ($name) = @_;
    my $p = "$ROOT/build/test-plugins/$name.so";
    BAIL_OUT("$p missing: make build/test-plugins/$name.so") unless -f $p;
    return $p;
}

sub _healthy {
    my $r = $http->get("$ENDPOINT/health");
    return $r->{success};
}

# Starts the emulator when the suite runs against the default local one.
sub _ensure_emulator {
    return if _healthy();
    if ($ENDPOINT =~ m{^http://127\.0\.0\.1:(\d+)$}) {
        local $ENV{PRISM_AWS_PORT} = $1;
        system("$ROOT/scripts/local-aws.sh", 'start') == 0
            or BAIL_OUT('cannot start the local AWS emulator');
        $started_emulator = 1;
    }
    BAIL_OUT("no AWS emulator at $ENDPOINT") unless _healthy();
}

# ---- SQS (JSON 1.0) ----------------------------------------------------------

# sqs(ACTION, \%BODY): the decoded answer; dies on an error answer.
sub sqs {
    my ($action, $body) = @_;
    my $r = $http->post("$ENDPOINT/", {
        headers => { 'X-Amz-Target' => "AmazonSQS.$action",
                     'Content-Type' => 'application/x-amz-json-1.0' },
        content => $json->encode($body) });
    die "SQS $action: $r->{status} $r->{content}\n" unless $r->{success};
    return length($r->{content}) ? $json->decode($r->{content}) : {};
}

# aws_setup(ARGS...): build/prism-aws ARGS against the emulator (signed;
# the CLI checks that the answer names what was asked for); its stdout
# without the final newline.  Dies with the CLI's output on a failure.
sub aws_setup {
    my (@args) = @_;
    local $ENV{PRISM_AWS_ENDPOINT} = $ENDPOINT;
    local $ENV{AWS_REGION} = 'us-east-1';
    local $ENV{AWS_ACCESS_KEY_ID} = $ENV{AWS_ACCESS_KEY_ID} || 'AKIDLOCALPRISM';
    local $ENV{AWS_SECRET_ACCESS_KEY} = $ENV{AWS_SECRET_ACCESS_KEY} || 'local-secret-not-checked';
    my ($rc, $out) = run_cmd("$ROOT/build/prism-aws", @args);
    die "prism-aws @args[0, 1]: $out" if $rc != 0;
    chomp $out;
    return $out;
}

# account(): the caller's account id (STS GetCallerIdentity).
sub account { $account //= $json->decode(aws_setup('sts', 'identity'))->{account} }

# create_queue(NAME, visibility => S, dlq => URL, max_receive => N,
# fifo => 1): the queue URL the endpoint returned.  The redrive policy
# names the DLQ by the ARN the endpoint reports for it.
sub create_queue {
    my ($name, %o) = @_;
    my @attrs = ('--attr', 'VisibilityTimeout=' . ($o{visibility} // 30));
    push @attrs, '--attr', 'FifoQueue=true' if $o{fifo};
    if ($o{dlq}) {
        my $dlq_arn = aws_setup('sqs', 'queue-arn', '--queue-url', $o{dlq});
        push @attrs, '--attr', 'RedrivePolicy=' . $json->encode({
            deadLetterTargetArn => $dlq_arn, maxReceiveCount => ($o{max_receive} // 3) . '' });
    }
    my $url = aws_setup('sqs', 'create-queue', '--name', $name, @attrs);
    push @queues, $url;
    return $url;
}

sub delete_queue { my ($url) = @_; eval { sqs('DeleteQueue', { QueueUrl => $url }) } }

# send_message(URL, BODY, \%ATTRS): the message id.
sub send_message {
    my ($url, $body, $attrs) = @_;
    my %req = (QueueUrl => $url, MessageBody => $body);
    if ($attrs) {
        $req{MessageAttributes} = { map { $_ => { DataType => 'String', StringValue => $attrs->{$_} } }
                                    keys %$attrs };
    }
    return sqs('SendMessage', \%req)->{MessageId};
}

# receive_messages(URL, wait => S, max => N, visibility => S): message list,
# each with Body, MessageId, Attributes, MessageAttributes.
sub receive_messages {
    my ($url, %o) = @_;
    my $r = sqs('ReceiveMessage', {
        QueueUrl => $url, WaitTimeSeconds => $o{wait} // 0,
        MaxNumberOfMessages => $o{max} // 10,
        (defined $o{visibility} ? (VisibilityTimeout => $o{visibility}) : ()),
        MessageSystemAttributeNames => ['All'], MessageAttributeNames => ['All'] });
    return @{ $r->{Messages} || [] };
}

# queue_depth(URL): visible + in flight + delayed messages.
sub queue_depth {
    my ($url) = @_;
    my $a = sqs('GetQueueAttributes', { QueueUrl => $url, AttributeNames => ['All'] })->{Attributes};
    my $n = 0;
    $n += $a->{$_} // 0 for qw(ApproximateNumberOfMessages ApproximateNumberOfMessagesNotVisible
                                ApproximateNumberOfMessagesDelayed);
    return $n;
}

# ---- S3 (path-style) -------------------------------------------------------------

sub _s3_url {
    my ($bucket, $key) = @_;
    my $k = defined $key ? join('/', map { my $s = $_; $s =~ s/([^A-Za-z0-9_.~-])/sprintf('%%%02X', ord $1)/ge; $s }
                                      split m{/}, $key, -1) : '';
    return "$ENDPOINT/$bucket" . (defined $key ? "/$k" : '');
}

sub create_bucket { my ($bucket) = @_; aws_setup('s3', 'create-bucket', $bucket) }

# put_object(BUCKET, KEY, DATA, TYPE): stores DATA (signed, through the CLI).
sub put_object {
    my ($bucket, $key, $data, $ctype) = @_;
    my $file = File::Temp->new(DIR => $TMP);
    binmode $file;
    print $file $data;
    close $file;
    aws_setup('s3', 'put', $bucket, $key, "$file",
              '--content-type', $ctype // 'application/octet-stream');
}

# get_object(BUCKET, KEY): the body, or undef when it does not exist.
sub get_object {
    my ($bucket, $key) = @_;
    my $r = $http->get(_s3_url($bucket, $key));
    return $r->{success} ? $r->{content} : undef;
}

# ---- message bodies -----------------------------------------------------------------

# prism_event(BUCKET, KEY, %PRISM): the upload event as the nginx module
# publishes it, made by the module's own builder (ingress/event.c, through
# build/prism-event), key form-encoded as S3 does it; %PRISM overrides the
# prism object's fields: imageId, contentType, size (the object's),
# width, height, sha256, requestId, storage ('local': an empty eTag and a
# localPath, as the module's local store), localPath, userId, eTag.  The
# imageId defaults to the one the key names (its last segment without the
# extension), as prism-host checks it against the original.
my %EVENT_OPTION = (imageId => 'image-id', contentType => 'content-type', size => 'size',
                    width => 'width', height => 'height', sha256 => 'sha256',
                    requestId => 'request-id', storage => 'storage', localPath => 'local-path',
                    userId => 'user', eTag => 'etag');
sub prism_event {
    my ($bucket, $key, %prism) = @_;
    (my $id = $key) =~ s{^.*/}{};
    $id =~ s{(?<=.)\.[^.]*$}{};
    my @args = ('--bucket', $bucket, '--key', $key, '--image-id', $id);
    for my $field (sort keys %prism) {
        my $opt = $EVENT_OPTION{$field} // die "prism_event: no such field: $field\n";
        push @args, "--$opt", $prism{$field};
    }
    @args = map { my $v = $_; utf8::encode($v) if utf8::is_utf8($v); $v } @args;
    my $bin = "$ROOT/build/prism-event";
    BAIL_OUT("$bin missing: make build/prism-event") unless -x $bin;
    open(my $out, '-|', $bin, @args) or die "$bin: $!\n";
    my $event = do { local $/; <$out> };
    close($out) or die "prism-event @args failed ($?)\n";
    chomp $event;
    return $event;
}

# sns_wrap(BODY): BODY inside an SNS notification envelope.
sub sns_wrap {
    my ($body) = @_;
    return $json->encode({ Type => 'Notification', MessageId => 'sns-1',
                           TopicArn => 'arn:aws:sns:us-east-1:' . account() . ':prism-uploads',
                           Message => $body, Timestamp => '2024-05-01T12:00:00.000Z' });
}

sub simple_event {
    my ($bucket, $key, $id) = @_;
    return $json->encode({ bucket => $bucket, s3Key => $key, imageId => $id // 'img-s' });
}

# ---- prism-host ----------------------------------------------------------------------

# write_config(FILE, \%CONFIG): writes the JSON, returns FILE.  The aws
# section defaults to the emulator with test keys.
# When the suite runs as root, a configuration without "user" gets
# "allow_root": true (workers refuse root otherwise); pass allow_root =>
# undef to leave the key out.
sub write_config {
    my ($file, $conf) = @_;
    if (exists $conf->{allow_root}) {
        delete $conf->{allow_root} unless defined $conf->{allow_root};
    } elsif ($> == 0 && !defined $conf->{user}) {
        $conf->{allow_root} = JSON::PP::true;
    }
    $conf->{aws} //= { region => 'us-east-1', endpoint => $ENDPOINT,
                       credentials => { access_key_id => 'AKIDPRISMTEST',
                                        secret_access_key => 'prism-test-secret' } };
    open(my $fh, '>', $file) or die "$file: $!";
    print $fh JSON::PP->new->canonical->pretty->encode($conf);
    close $fh;
    chmod 0600, $file;
    return $file;
}

sub _host_bin { return $ENV{PRISM_HOST_BIN} || "$ROOT/build/prism-host" }

# start_host(CONFIG_FILE, LOG_FILE): the master's pid (in its own process
# group).  Under VALGRIND=1 the master and workers run in valgrind.
sub start_host {
    my ($conf, $log) = @_;
    my @cmd = (_host_bin(), '-c', $conf);
    if ($ENV{VALGRIND}) {
        my $vg = "$TMP/valgrind.%p.log";
        push @vg_logs, $vg;
        unshift @cmd, 'valgrind', '--error-exitcode=99', '--leak-check=full',
            '--errors-for-leak-kinds=definite', '--show-leak-kinds=definite',
            "--log-file=$vg";
    }
    my $pid = fork() // die "fork: $!";
    if ($pid == 0) {
        setpgid(0, 0);
        open(STDOUT, '>>', $log) or POSIX::_exit(127);
        open(STDERR, '>&', \*STDOUT) or POSIX::_exit(127);
        exec(@cmd) or POSIX::_exit(127);
    }
    push @hosts, $pid;
    return $pid;
}

# stop_host(PID, SIGNAL, TIMEOUT): sends SIGNAL (default TERM), waits at
# most TIMEOUT seconds; returns the wait status, or undef on timeout
# (the process group is then killed).
sub stop_host {
    my ($pid, $sig, $timeout) = @_;
    kill($sig // 'TERM', $pid);
    my $until = time + ($timeout // 30);
    while (time < $until) {
        my $w = waitpid($pid, WNOHANG);
        if ($w == $pid) {
            @hosts = grep { $_ != $pid } @hosts;
            return $?;
        }
        sleep 0.05;    # poll: until the condition holds or the deadline
    }
    kill('KILL', -$pid);
    waitpid($pid, 0);
    @hosts = grep { $_ != $pid } @hosts;
    return undef;
}

# host_log(FILE): its content ("" when missing).
sub host_log {
    my ($file) = @_;
    open(my $fh, '<', $file) or return '';
    local $/;
    return scalar <$fh>;
}

# wait_for(SUB, TIMEOUT): polls SUB every 100 ms until it returns true or
# TIMEOUT seconds pass; returns its last result.
sub wait_for {
    my ($sub, $timeout) = @_;
    my $until = time + $timeout;
    while (1) {
        my $r = $sub->();
        return $r if $r || time >= $until;
        sleep 0.1;    # poll: until the condition holds or the deadline
    }
}

# wait_log(FILE, REGEX, TIMEOUT): true once the log matches REGEX.
sub wait_log {
    my ($file, $re, $timeout) = @_;
    return wait_for(sub { host_log($file) =~ $re }, $timeout);
}

# metrics_text(PORT): the /metrics body, or "" when it cannot be fetched.
sub metrics_text {
    my ($port) = @_;
    my $r = HTTP::Tiny->new(timeout => 5)->get("http://127.0.0.1:$port/metrics");
    return $r->{success} ? $r->{content} : '';
}

# run_cmd(@CMD): (exit status, combined output) of a short command.
sub run_cmd {
    my @cmd = @_;
    my $pid = open(my $fh, '-|') // die "fork: $!";
    if ($pid == 0) {
        open(STDERR, '>&', \*STDOUT);
        exec(@cmd) or POSIX::_exit(127);
    }
    local $/;
    my $out = <$fh> // '';
    close $fh;
    return ($? >> 8, $out);
}

# memcheck(LOG...): tests that the prism-host logs hold no sanitizer
# report (ASan, LSan, UBSan: a sanitized PRISM_HOST_BIN writes them to
# stderr, the log) and, under VALGRIND=1, that no valgrind log of this
# suite (master, workers, check processes) counts an error.  A process
# killed by a signal on purpose is not an error.
sub memcheck {
    my @logs = @_;
    my @reports = grep { /ERROR: (Address|Leak)Sanitizer|runtime error:/ } map { host_log($_) } @logs;
    ok(!@reports, 'no sanitizer report in the host log') or diag(join("\n", @reports));
    return unless $ENV{VALGRIND};
    my (@bad, $n);
    for my $f (glob("$TMP/valgrind.*.log")) {
        my $t = host_log($f);
        $n++;
        push @bad, "$f:\n$t" if $t =~ /ERROR SUMMARY: [1-9]/ || $t !~ /ERROR SUMMARY: 0 errors/;
    }
    ok($n && !@bad, "valgrind: no errors in " . ($n // 0) . " process(es)") or diag(join("\n", @bad));
}

# A sanitized prism-host must let a plugin's SIGSEGV kill the worker the
# way it would without ASan (the crash suite checks the signal).
$ENV{ASAN_OPTIONS} = join(':', grep { length } $ENV{ASAN_OPTIONS} // '', 'handle_segv=0')
    unless ($ENV{ASAN_OPTIONS} // '') =~ /handle_segv/;

# An interrupted suite still runs END (and kills what it started).
$SIG{$_} = sub { exit 130 } for qw(INT TERM HUP);

_ensure_emulator() unless $ENV{PRISM_HOST_TEST_NO_AWS};

END {
    my $status = $?;
    for my $pid (@hosts) {
        kill('KILL', -$pid);
        waitpid($pid, 0);
    }
    if (!$ENV{PRISM_HOST_TEST_NO_AWS} && _healthy()) {
        delete_queue($_) for @queues;
    }
    if ($started_emulator) {
        system("$ROOT/scripts/local-aws.sh stop >/dev/null");
    }
    $? = $status;
}

1;

# PrismFaultStack — one isolated prism stack per fault scenario
# (tests/faults/*.t, tests/bad-inputs/*.t, tests/faults/load.pl).
#
# Starts the AWS emulators (scripts/local-aws.sh on free ports, a state
# directory of its own, resources from a copy of conf/resources.json with a
# short visibility timeout), nginx with the prism module and prism-host, all
# on 127.0.0.1, under build/faults/NAME-PID/.  Everything it started is
# killed at exit (END), whatever happened.  The oracle talks to the emulator
# directly (SQS JSON 1.0, S3 path-style over HTTP::Tiny; the emulator checks
# no signature), independently of the code under test.
package PrismFaultStack;

use strict;
use warnings;
use Cwd qw(abs_path);
use File::Basename qw(dirname);
use File::Path qw(make_path remove_tree);
use HTTP::Tiny;
use IO::Socket::INET;
use JSON::PP;
use POSIX qw(WNOHANG);
use Time::HiRes qw(time sleep);

my $ROOT = abs_path(dirname(__FILE__) . '/../../..');
my $REGION = 'us-east-1';
my $KEY_ID = 'AKIDLOCALPRISM';
my $SECRET = 'local-secret-not-checked-by-the-emulator';
my @ROUTES = qw(thumbnail webp watermark);
my $json = JSON::PP->new->canonical;
# no keep-alive: a reloaded nginx or an emulator closing idle connections
# would otherwise race a reused connection and fail a request (599) that
# the code under test never saw
my $http = HTTP::Tiny->new(timeout => 30, keep_alive => 0);
my @STACKS;

# root(): the source tree; routes(): the built-in routes.
sub root   { $ROOT }
sub routes { @ROUTES }

# free_port(): a TCP port on 127.0.0.1 nobody listens on right now.
sub free_port {
    my $s = IO::Socket::INET->new(Listen => 1, LocalAddr => '127.0.0.1', LocalPort => 0,
                                  Proto => 'tcp', ReuseAddr => 1) or die "no free port: $!";
    return $s->sockport;
}

# closed_port(): a TCP port on 127.0.0.1 that refuses connections for as
# long as this process lives: bound (so no other process can take it) and
# never listening.  The endpoint of an outage.
my @CLOSED;
sub closed_port {
    my $s = IO::Socket::INET->new(LocalAddr => '127.0.0.1', LocalPort => 0, Proto => 'tcp')
        or die "no port to hold closed: $!";
    push @CLOSED, $s;
    return $s->sockport;
}

# wait_for(SECONDS, CODE): polls CODE every 0.1 s; its last value (true when
# it came true within SECONDS).
sub wait_for {
    my ($limit, $code) = @_;
    my $end = time + $limit;
    while (1) {
        my $v = $code->();
        return $v if $v || time >= $end;
        sleep 0.1;    # poll: until the condition holds or the limit
    }
}

# _spew(FILE, TEXT) writes a file (dies on error); _slurp(FILE) reads one ('' if unreadable).
sub _spew { my ($f, $t) = @_; open my $fh, '>', $f or die "$f: $!"; print $fh $t; close $fh }
sub _slurp { my ($f) = @_; open my $fh, '<', $f or return ''; local $/; my $t = <$fh>; return $t }

# missing_parts(): the binaries the stack needs that are not built ('' if
# none).
sub missing_parts {
    my @need = ('/usr/sbin/nginx', "$ROOT/build/nginx/objs/ngx_http_prism_module.so",
                "$ROOT/build/prism-host", "$ROOT/build/prism-provision",
                map { "$ROOT/build/plugins/$_.so" } @ROUTES);
    return join ' ', grep { !-e $_ } @need;
}

# new(NAME, %OPT): a stack description (nothing started).  Options:
#   visibility    queue and route visibility timeout, seconds [4]
#   workers       prism-host workers [2]
#   persist       PRISM_AWS_PERSIST=1 for the emulator [0]
#   nginx_http    extra lines for nginx's http block
#   nginx_loc     extra lines for the upload location
#   routes        list of route hashes replacing the three built-in ones
#   wait_time     the routes' long-poll wait [2]
#   sns_endpoint  nginx's SNS endpoint [the emulator]
#   s3_endpoint   nginx's S3 endpoint [the emulator]
#   host_s3_endpoint  prism-host's S3 endpoint [the emulator]
#   host_ddb_endpoint prism-host's DynamoDB endpoint [dynalite]
#   production    production-like queue timing: conf/resources.json's
#                 visibility (30 s) and maxReceiveCount 3, the routes'
#                 visibility_timeout following it and max_attempts 2 unless
#                 given [0: visibility as above, maxReceiveCount as shipped]
#   record        prism-host writes the image records (record.table
#                 prism-images) [0]
#   max_attempts  the routes' max_attempts [4, below the shipped maxReceiveCount 5;
#                 2 with production]
#   host_extra    hash of further top-level prism-host settings [{}]
sub new {
    my ($class, $name, %opt) = @_;
    my $dir = "$ROOT/build/faults/$name-$$";
    remove_tree($dir);
    make_path("$dir/nginx/logs", "$dir/nginx/tmp", "$dir/aws");
    my $self = bless {
        name => $name, dir => $dir, visibility => 4, workers => 2, persist => 0, wait_time => 2,
        nginx_http => '', nginx_loc => '', %opt,
        aws_port => free_port(), ddb_port => free_port(), http_port => free_port(),
        metrics_port => free_port(),
    }, $class;
    $self->{endpoint} = "http://127.0.0.1:$self->{aws_port}";
    $self->_snapshot_binaries;
    $self->{sns_endpoint} //= $self->{endpoint};
    $self->{visibility} = _conf_visibility() if $self->{production};
    $self->{max_attempts} //= $self->{production} ? 2 : 4;
    push @STACKS, $self;
    return $self;
}

# Accessors: the stack directory, the emulator's URL, nginx's upload URL,
# the URL of a queue by name.
sub dir      { $_[0]{dir} }
sub endpoint { $_[0]{endpoint} }
sub upload_url { "http://127.0.0.1:$_[0]{http_port}/upload" }
sub ddb_endpoint { "http://127.0.0.1:$_[0]{ddb_port}" }
sub queue_url { my ($s, $q) = @_; return "$s->{endpoint}/" . $s->account . "/$q" }

# account(): the account id the emulator's provisioning found (STS
# GetCallerIdentity, in the env file local-aws.sh writes); dies before
# start_aws.
sub account {
    my ($s) = @_;
    return $s->{account} //= (_slurp("$s->{dir}/aws/resources.env") =~ /^PRISM_ACCOUNT_ID='(\d+)'$/m)[0]
        // die "no account id before start_aws (${\ $s->dir}/aws/resources.env)\n";
}

# _snapshot_binaries(): copies the module, prism-host and the plugins into
# the stack directory, so that a scenario runs one consistent set of
# binaries from start to end.  Dies when one is missing or the module does
# not load into nginx.
sub _snapshot_binaries {
    my ($self) = @_;
    make_path("$self->{dir}/bin");
    for my $f ("build/nginx/objs/ngx_http_prism_module.so", 'build/prism-host',
               map { "build/plugins/$_.so" } @ROUTES) {
        (my $base = $f) =~ s{.*/}{};
        my $copy = "$self->{dir}/bin/$base";
        -s "$ROOT/$f" && system('cp', '-p', "$ROOT/$f", $copy) == 0
            or die "$f is missing: build it first (make, make module)";
        $base !~ /^ngx_/ || $self->_module_loads($copy)
            or die "$f does not load into nginx";
    }
}

# _module_loads(SO): nginx -t accepts a configuration loading SO (a module
# caught half-way through a rebuild may miss symbols).
sub _module_loads {
    my ($self, $so) = @_;
    _spew("$self->{dir}/module-check.conf", "load_module $so;\nevents {}\nhttp {}\n");
    return system("/usr/sbin/nginx -t -q -p '$self->{dir}/' -c module-check.conf -e /dev/null >/dev/null 2>&1") == 0;
}

# bin(NAME): the path of a snapshotted binary in the stack directory.
sub bin { my ($s, $name) = @_; return "$s->{dir}/bin/$name" }

# start(): emulator, nginx, prism-host; dies when a part does not come up.
sub start {
    my ($self) = @_;
    $self->start_aws;
    $self->start_nginx;
    $self->start_host;
    return $self;
}

# _aws_env(): scripts/local-aws.sh's environment for this stack.
sub _aws_env {
    my ($self) = @_;
    return (PRISM_AWS_PORT => $self->{aws_port}, PRISM_DYNAMODB_PORT => $self->{ddb_port},
            PRISM_AWS_STATE => "$self->{dir}/aws", PRISM_RESOURCES => "$self->{dir}/resources.json",
            PRISM_AWS_PERSIST => $self->{persist} ? 1 : 0);
}

# local_aws(CMD): scripts/local-aws.sh CMD on this stack's ports; true on success.
sub local_aws {
    my ($self, $cmd) = @_;
    local %ENV = (%ENV, $self->_aws_env);
    return system("$ROOT/scripts/local-aws.sh $cmd >>'$self->{dir}/aws/local-aws.out' 2>&1") == 0;
}

# _conf_visibility(): the visibility timeout of conf/resources.json's
# processing queues (those with a dead-letter queue).
sub _conf_visibility {
    my $res = decode_json(_slurp("$ROOT/conf/resources.json"));
    my ($q) = grep { $_->{dead_letter} } @{ $res->{queues} };
    return $q->{attributes}{VisibilityTimeout};
}

# stop_dynamodb(): stops this stack's dynalite only (SNS/SQS/S3 stay up);
# local_aws('start') brings it back (with persist, with its items).
sub stop_dynamodb {
    my ($self) = @_;
    my $pid = _slurp("$self->{dir}/aws/dynamodb.pid");
    chomp $pid;
    return unless $pid && kill 0, $pid;
    kill 'TERM', $pid;
    wait_for(5, sub { !kill 0, $pid }) or kill 'KILL', $pid;
}

# start_aws(): the emulators with conf/resources.json, visibility shortened
# (unless the stack keeps the production timing).
sub start_aws {
    my ($self) = @_;
    my $res = decode_json(_slurp("$ROOT/conf/resources.json"));
    for my $q (@{ $res->{queues} }) {
        next unless $q->{dead_letter};
        $q->{attributes}{VisibilityTimeout} = $self->{visibility} unless $self->{production};
        $q->{dead_letter}{max_receive_count} = 3 if $self->{production};
    }
    _spew("$self->{dir}/resources.json", $json->encode($res));
    $self->local_aws('start') or die "emulator did not start: " . _slurp("$self->{dir}/aws/local-aws.out");
}

# temp_paths(): the http-block directives that keep nginx's temporary
# files under the prefix's tmp/ (never the system's paths).
sub temp_paths {
    return <<'EOF';
    client_body_temp_path tmp/body;
    proxy_temp_path tmp/proxy;
    fastcgi_temp_path tmp/fastcgi;
    uwsgi_temp_path tmp/uwsgi;
    scgi_temp_path tmp/scgi;
EOF
}

# nginx_conf(): the nginx configuration of this stack.
sub nginx_conf {
    my ($self) = @_;
    my $user = $> == 0 ? 'user root;' : '';
    return <<EOF;
load_module $self->{dir}/bin/ngx_http_prism_module.so;
$user
worker_processes 2;
error_log logs/error.log info;
pid logs/nginx.pid;
thread_pool prism threads=1;
events { worker_connections 1024; }
http {
@{[ temp_paths() ]}    access_log off;
    prism_region $REGION;
    prism_s3_endpoint @{[ $self->{s3_endpoint} // $self->{endpoint} ]};
    prism_sns_endpoint $self->{sns_endpoint};
    prism_credentials env;
    prism_thread_pool prism;
    $self->{nginx_http}
    server {
        listen 127.0.0.1:$self->{http_port};
        location = /upload {
            client_max_body_size 0;
            prism_upload on;
            prism_max_bytes 25m;
            prism_max_pixels 50000000;
            prism_types jpeg png webp;
            prism_bucket prism-ingest;
            prism_key_prefix originals/;
            prism_sns_topic_arn arn:aws:sns:$REGION:@{[ $self->account ]}:prism-uploads;
            prism_publish_timeout 3s;
            prism_store_timeout 5s;
            $self->{nginx_loc}
        }
        location = /prism-status { prism_status; }
    }
}
EOF
}

# _env_creds(): the emulator's (unchecked) credentials as environment.
sub _env_creds {
    return (AWS_ACCESS_KEY_ID => $KEY_ID, AWS_SECRET_ACCESS_KEY => $SECRET, AWS_REGION => $REGION,
            AWS_EC2_METADATA_DISABLED => 'true');
}

# start_nginx(): writes the configuration and starts nginx (daemon).
sub start_nginx {
    my ($self) = @_;
    _spew("$self->{dir}/nginx/nginx.conf", $self->nginx_conf);
    local %ENV = (%ENV, _env_creds());
    delete @ENV{qw(AWS_PROFILE AWS_SESSION_TOKEN)};
    system('/usr/sbin/nginx', '-p', "$self->{dir}/nginx/", '-c', 'nginx.conf', '-e', 'logs/error.log') == 0
        or die "nginx did not start: " . _slurp("$self->{dir}/nginx/logs/error.log");
    wait_for(10, sub { $http->get("http://127.0.0.1:$self->{http_port}/prism-status")->{status} == 200 })
        or die "nginx does not answer";
}

# reload_nginx(): rewrites the configuration, sends SIGHUP and waits
# (bounded) until the workers that ran the old configuration are gone and
# new ones run, so that the next request meets the new configuration.
sub reload_nginx {
    my ($self) = @_;
    my $master = $self->nginx_pid;
    my %old = map { $_ => 1 } _children($master);
    _spew("$self->{dir}/nginx/nginx.conf", $self->nginx_conf);
    kill 'HUP', $master or die "cannot signal nginx's master: $!";
    wait_for(15, sub {
        my @now = _children($master);
        return @now && !grep { $old{$_} } @now;
    }) or die "nginx did not reload within 15 s\n";
}

# _children(PID): the pids of PID's child processes.
sub _children {
    my ($pid) = @_;
    my @kids;
    for my $stat (glob '/proc/[0-9]*/stat') {
        my $t = _slurp($stat);
        push @kids, $1 if $t =~ /^(\d+) \(.*\) \S+ (\d+) / && $2 == $pid;
    }
    return @kids;
}

# nginx_pid(): the nginx master's pid ('' when it does not run).
sub nginx_pid { my $p = _slurp("$_[0]{dir}/nginx/logs/nginx.pid"); chomp $p; return $p }

# host_conf(): prism-host's configuration (JSON text).
sub host_conf {
    my ($self) = @_;
    my $q = "$self->{endpoint}/" . $self->account;
    my %params = (
        thumbnail => { sizes => [64], mode => 'fit', quality => 80 },
        webp      => { quality => 70, max_dimension => 256 },
        watermark => { logo => "$ROOT/tests/data/watermark/logo.png", gravity => 'south-east',
                       opacity => 0.5 },
    );
    my $routes = $self->{routes} // [ map { {
        name => $_, queue_url => "$q/prism-$_", dlq_url => "$q/prism-$_-dlq",
        plugin => $self->bin("$_.so"), plugin_params => $params{$_},
        output => { bucket => 'prism-derived', prefix => '' },
    } } @ROUTES ];
    for my $r (@$routes) {
        $r->{input} //= { buckets => ['prism-ingest'] };
        $r->{visibility_timeout} //= $self->{visibility};
        $r->{max_attempts} //= $self->{max_attempts};
        $r->{wait_time_seconds} //= $self->{wait_time};
    }
    return $json->pretty->encode({
        aws => { region => $REGION, endpoint => $self->{endpoint}, timeout_ms => 3000,
                 endpoints => { s3 => $self->{host_s3_endpoint} // $self->{endpoint},
                                dynamodb => $self->{host_ddb_endpoint}
                                            // $self->ddb_endpoint } },
        ($self->{record} ? (record => { table => 'prism-images' }) : ()),
        # a root test run lets the workers stay root (they refuse otherwise)
        ($> == 0 ? (allow_root => JSON::PP::true) : ()),
        %{ $self->{host_extra} // {} },
        workers => $self->{workers},
        pid_file => "$self->{dir}/prism-host.pid",
        log => { level => 'debug', file => "$self->{dir}/host.log" },
        metrics => { listen => "127.0.0.1:$self->{metrics_port}" },
        shutdown_grace_seconds => 10,
        routes => $routes,
    });
}

# start_host(): writes the configuration, starts prism-host in its own
# session and waits until all its workers run.
sub start_host {
    my ($self) = @_;
    _spew("$self->{dir}/prism-host.json", $self->host_conf);
    local %ENV = (%ENV, _env_creds());
    delete @ENV{qw(AWS_PROFILE AWS_SESSION_TOKEN)};
    my $pid = fork // die "fork: $!";
    if ($pid == 0) {
        POSIX::setsid();
        open STDIN, '<', '/dev/null';
        open STDOUT, '>>', "$self->{dir}/host.out";
        open STDERR, '>&', \*STDOUT;
        exec $self->bin('prism-host'), '-c', "$self->{dir}/prism-host.json";
        exit 127;
    }
    $self->{host_pid} = $pid;
    wait_for(15, sub { ($self->metrics->{prism_workers} // -1) == $self->{workers} })
        or die "prism-host did not come up: " . _slurp("$self->{dir}/host.out");
}

# host_log(): prism-host's log so far.
sub host_log { _slurp("$_[0]{dir}/host.log") }

# host_pid(): the prism-host master's pid.
sub host_pid { $_[0]{host_pid} }

# reload_host(): rewrites the configuration and sends SIGHUP; waits until
# the reload was logged.
sub reload_host {
    my ($self) = @_;
    _spew("$self->{dir}/prism-host.json", $self->host_conf);
    my $before = () = _slurp("$self->{dir}/host.log") =~ /reload/gi;
    kill 'HUP', $self->{host_pid};
    wait_for(10, sub { (() = _slurp("$self->{dir}/host.log") =~ /reload/gi) > $before });
}

# reap_host(SECONDS): waits for the prism-host master to exit; true if it did.
sub reap_host {
    my ($self, $limit) = @_;
    return wait_for($limit, sub { waitpid($self->{host_pid}, WNOHANG) != 0 });
}

# host_workers(): pids of the host master's children.
sub host_workers {
    my ($self) = @_;
    my $out = `pgrep -P $self->{host_pid}`;
    return grep { /\d/ } split /\s+/, $out;
}

# metrics(): prism-host's metrics, "name" and "name{labels}" => value ({} if down).
sub metrics {
    my ($self) = @_;
    my $r = HTTP::Tiny->new(timeout => 2)->get("http://127.0.0.1:$self->{metrics_port}/metrics");
    return {} unless $r->{success};
    my %m;
    for (split /\n/, $r->{content}) {
        next if /^#/;
        $m{$1} = $2 if /^(\S+)\s+(\S+)/;
    }
    return \%m;
}

# route_metric(NAME, ROUTE): a per-route counter (0 when absent).
sub route_metric {
    my ($self, $name, $route) = @_;
    return $self->metrics->{"${name}{route=\"$route\"}"} // 0;
}

# ---- the oracle ---------------------------------------------------------------

# upload(BYTES, %HEADERS): HTTP::Tiny response of a raw POST; {json} decoded.
sub upload {
    my ($self, $body, %h) = @_;
    my $r = $http->post($self->upload_url, { content => $body,
                        headers => { 'Content-Type' => 'application/octet-stream', %h } });
    $r->{json} = eval { decode_json($r->{content}) } // {};
    return $r;
}

# sqs(ACTION, \%BODY): the decoded answer; dies on an error.
sub sqs {
    my ($self, $action, $body) = @_;
    my $r = $http->post("$self->{endpoint}/", { content => encode_json($body), headers => {
        'Content-Type' => 'application/x-amz-json-1.0', 'X-Amz-Target' => "AmazonSQS.$action" } });
    die "SQS $action: $r->{status} $r->{content}" unless $r->{success};
    return decode_json($r->{content} || '{}');
}

# ddb(ACTION, \%BODY): the decoded DynamoDB answer (the emulator wants a
# SigV4-shaped Authorization header but checks no signature); dies on an
# error, so a suite using it fails without the emulator.
sub ddb {
    my ($self, $action, $body) = @_;
    my $date = POSIX::strftime('%Y%m%dT%H%M%SZ', gmtime);
    my $r = $http->post($self->ddb_endpoint . '/', { content => encode_json($body), headers => {
        'Content-Type' => 'application/x-amz-json-1.0', 'X-Amz-Target' => "DynamoDB_20120810.$action",
        'X-Amz-Date' => $date, Authorization => "AWS4-HMAC-SHA256 Credential=$KEY_ID/"
            . substr($date, 0, 8) . "/$REGION/dynamodb/aws4_request, SignedHeaders=host;x-amz-date, Signature=0" } });
    die "DynamoDB $action: $r->{status} $r->{content}" unless $r->{success};
    return decode_json($r->{content} || '{}');
}

# image_record(ID): the prism-images item of an image as DynamoDB JSON
# (undef when there is none).
sub image_record {
    my ($self, $id) = @_;
    return $self->ddb('GetItem', { TableName => 'prism-images', ConsistentRead => JSON::PP::true,
                                   Key => { imageId => { S => $id } } })->{Item};
}

# worker_peak_rss(): the highest VmHWM (kB) among the prism-host workers.
sub worker_peak_rss {
    my ($self) = @_;
    my $max = 0;
    for my $pid ($self->host_workers) {
        my ($kb) = _slurp("/proc/$pid/status") =~ /^VmHWM:\s+(\d+)/m or next;
        $max = $kb if $kb > $max;
    }
    return $max;
}

# queue_count(QUEUE): visible + in-flight messages of a queue (by name).
sub queue_count {
    my ($self, $q) = @_;
    my $a = $self->sqs('GetQueueAttributes', { QueueUrl => $self->queue_url($q),
        AttributeNames => ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] });
    return $a->{Attributes}{ApproximateNumberOfMessages} + $a->{Attributes}{ApproximateNumberOfMessagesNotVisible};
}

# dlq_messages(ROUTE): the messages of a route's DLQ (received with
# visibility 0, so they stay), with MessageAttributes.
sub dlq_messages {
    my ($self, $route) = @_;
    my (%seen, @all);
    for (1 .. 5) {
        my $r = $self->sqs('ReceiveMessage', { QueueUrl => $self->queue_url("prism-$route-dlq"),
            MaxNumberOfMessages => 10, VisibilityTimeout => 0, WaitTimeSeconds => 0,
            MessageAttributeNames => ['All'] });
        for my $m (@{ $r->{Messages} // [] }) { push @all, $m unless $seen{ $m->{MessageId} }++ }
    }
    return @all;
}

# put_object(BUCKET, KEY, BYTES, %HEADERS): PutObject straight into the
# emulator, bypassing the ingress; dies on an error.
sub put_object {
    my ($self, $bucket, $key, $body, %h) = @_;
    my $path = join '/', map { _esc($_) } split m{/}, $key, -1;
    my $r = $http->request('PUT', "$self->{endpoint}/$bucket/$path", { content => $body,
                           headers => { 'Content-Type' => 'application/octet-stream', %h } });
    die "PutObject $bucket/$key: $r->{status} $r->{content}" unless $r->{success};
}

# list_keys(BUCKET, PREFIX): every key of the bucket (ListObjectsV2, paged).
sub list_keys {
    my ($self, $bucket, $prefix) = @_;
    my (@keys, $token);
    for (1 .. 1000) {
        my $u = "$self->{endpoint}/$bucket?list-type=2&max-keys=1000"
              . (defined $prefix ? '&prefix=' . _esc($prefix) : '')
              . (defined $token ? '&continuation-token=' . _esc($token) : '');
        my $r = $http->get($u);
        die "ListObjectsV2 $bucket: $r->{status}" unless $r->{success};
        push @keys, map { _unxml($_) } $r->{content} =~ m{<Key>(.*?)</Key>}g;
        ($token) = $r->{content} =~ m{<NextContinuationToken>(.*?)</NextContinuationToken>};
        last unless $r->{content} =~ m{<IsTruncated>true</IsTruncated>} && defined $token;
        $token = _unxml($token);
    }
    return @keys;
}

# _esc(S): S percent-encoded for a query string; _unxml(S): XML entities decoded.
sub _esc { my ($s) = @_; $s =~ s/([^A-Za-z0-9_.~-])/sprintf '%%%02X', ord $1/ge; return $s }
sub _unxml { my ($s) = @_; $s =~ s/&lt;/</g; $s =~ s/&gt;/>/g; $s =~ s/&quot;/"/g; $s =~ s/&apos;/'/g; $s =~ s/&amp;/&/g; return $s }

# derived_base(KEY): the derivative prefix of an original key.
sub derived_base { my ($k) = @_; $k =~ s{\.[^./]+$}{}; return $k }

# figures(\@KEYS_2XX, ROUTES...): the pipeline's counts for the originals
# answered 2xx: originals stored, complete derivative sets (one key under
# each route), derivative keys (and those not belonging to a 2xx upload),
# plugin runs that stored outputs (metrics) and DLQ depths.
sub figures {
    my ($self, $keys, @routes) = @_;
    @routes = @ROUTES unless @routes;
    my %orig = map { $_ => 1 } $self->list_keys('prism-ingest');
    my @derived = $self->list_keys('prism-derived');
    my %by_base;
    my $stray = 0;
    my %want = map { derived_base($_) => 1 } @$keys;
    for my $k (@derived) {
        my ($base, $route) = $k =~ m{^(.*)/([^/]+)/[^/]+$} or next;
        $stray++ unless $want{$base};
        $by_base{$base}{$route}++;
    }
    my $sets = grep { my $b = derived_base($_); my $s = $by_base{$b}; $s && !grep { !$s->{$_} } @routes } @$keys;
    my %f = (
        stored   => scalar(grep { $orig{$_} } @$keys),
        ingest   => scalar(keys %orig),
        sets     => $sets,
        derived  => scalar(@derived),
        distinct => scalar(keys %{ { map { $_ => 1 } @derived } }),
        stray    => $stray,
        runs     => 0,
        dlq      => 0,
    );
    for my $r (@routes) {
        $f{runs} += $self->route_metric('prism_messages_ok_total', $r);
        $f{dlq} += $self->queue_count("prism-$r-dlq");
    }
    return \%f;
}

# records(\@IMAGE_IDS, ROUTES...): how many of the images have a record
# whose every route says "ok".
sub records {
    my ($self, $ids, @routes) = @_;
    @routes = @ROUTES unless @routes;
    my $n = 0;
    for my $id (@$ids) {
        my $item = $self->ddb('GetItem', { TableName => 'prism-images', ConsistentRead => JSON::PP::true,
                                           Key => { imageId => { S => $id } } })->{Item} or next;
        my $r = $item->{routes}{M} or next;
        $n++ unless grep { (($r->{$_} // {})->{M}{status}{S} // '') ne 'ok' } @routes;
    }
    return $n;
}

# wait_sets(\@KEYS, SECONDS, ROUTES...): figures once every upload has its
# complete derivative set, or when SECONDS ran out.
sub wait_sets {
    my ($self, $keys, $limit, @routes) = @_;
    my $f;
    wait_for($limit, sub { $f = $self->figures($keys, @routes); $f->{sets} == @$keys });
    return $f;
}

# line(LABEL, N_UPLOADS, N_2XX, \%FIGURES): the scenario's one-line summary.
sub line {
    my ($label, $n, $ok, $f) = @_;
    return sprintf '%s: uploads=%d 2xx=%d stored=%d events(sets)=%d derivatives=%d distinct=%d '
                 . 'stray=%d plugin_runs=%d dlq=%d', $label, $n, $ok, $f->{stored}, $f->{sets},
                 $f->{derived}, $f->{distinct}, $f->{stray}, $f->{runs}, $f->{dlq};
}

# nginx_crashes(): "exited on signal" lines of nginx's error log.
sub nginx_crashes {
    my ($self) = @_;
    return scalar grep { /exited on signal/ } split /\n/, _slurp("$self->{dir}/nginx/logs/error.log");
}

# stop(): stops everything this stack started (also run at exit).
sub stop {
    my ($self) = @_;
    return if $self->{stopped}++;
    my $np = $self->nginx_pid;
    if ($np && kill 0, $np) {
        kill 'QUIT', $np;
        wait_for(5, sub { !kill 0, $np }) or kill 'KILL', $np;
    }
    if (my $hp = $self->{host_pid}) {
        kill 'TERM', $hp;
        $self->reap_host(12) or kill 'KILL', -$hp;
        kill 'KILL', -$hp;
        waitpid($hp, 0);
    }
    $self->local_aws('stop');
}

# At exit: stops every stack; removes the directories of a run that
# passed (kept for reading when it failed, or with PRISM_FAULTS_KEEP=1).
END {
    my $rc = $?;
    $_->stop for @STACKS;
    my $passed = $rc == 0 && !(Test::More->can('builder') && !Test::More->builder->is_passing);
    if ($passed && !$ENV{PRISM_FAULTS_KEEP}) {
        my $mounts = _slurp('/proc/mounts');
        remove_tree($_->{dir}) for grep { index($mounts, " $_->{dir}/") < 0 } @STACKS;
    }
    $? = $rc;
}

1;

# The Debian packages on this machine: `make deb` builds them with
# Debian's tools, lintian has no error about them, `apt-get install`
# puts every file where it is documented, Debian's nginx configuration
# (modules-enabled included) passes `nginx -t` with the module loaded, a
# plugin builds with `pkg-config --cflags prism-plugin`, the packaged
# configuration passes `prism-host -t` as the user prism, and the
# installed unit passes `systemd-analyze verify` and rates at most 2.5 in
# `systemd-analyze security`.
# Then everything is purged again.
#
# It leaves the machine as found: it refuses to run when a prism package
# is already installed, starts no service (nginx's trigger meets a
# policy-rc.d that exits 101: the machine's own, or one the test writes
# and removes), and removes the user prism only when the install created
# it.  Needs root and Debian's packaging tools (scripts/deps.sh deb).
#
# Environment: PRISM_DEB_REUSE=1 installs the packages already in
# build/deb/ instead of building them.
use strict;
use warnings;
use Cwd ();
use File::Temp ();
use FindBin;
use Test::More;

my $root = Cwd::abs_path("$FindBin::Bin/../..");
chdir $root or die "$root: $!";
my @packages = qw(libnginx-mod-http-prism prism-host prism-dev prism-tools);

plan skip_all => 'needs root (apt-get install)' if $> != 0;
for my $tool (qw(dpkg-buildpackage dh lintian apt-get systemd-analyze nginx pkg-config)) {
    plan skip_all => "$tool missing: scripts/deps.sh deb"
        unless grep { -x "$_/$tool" } split(/:/, $ENV{PATH}), '/usr/sbin';
}
# installed(PKG): whether dpkg has PKG installed (or its config files).
sub installed {
    my ($pkg) = @_;
    my $st = `dpkg-query -W -f='\${db:Status-Status}' $pkg 2>/dev/null`;
    return $st ne '' && $st ne 'not-installed';
}
my @present = grep { installed($_) } @packages;
plan skip_all => "already installed here: @present (the test would remove them)" if @present;

# run(CMD...): (exit status, stdout + stderr).
sub run {
    my $out = `@_ 2>&1`;
    return ($? >> 8, $out);
}
sub slurp { my ($f) = @_; open my $fh, '<', $f or return ''; local $/; return scalar <$fh> }

my $had_user = defined getpwnam('prism');
my $tmp = File::Temp->newdir;

# ---- build ------------------------------------------------------------------------
unless ($ENV{PRISM_DEB_REUSE}) {
    my ($rc, $out) = run('make', '-s', 'deb');
    is($rc, 0, 'make deb') or diag($out);
}
my @debs = sort glob('build/deb/*.deb');
my %deb = map { my ($n) = m{/([^/_]+)_}; ($n => $_) } @debs;
is_deeply([sort keys %deb], [sort @packages], 'four packages in build/deb/') or diag("@debs");
BAIL_OUT('no packages to test') unless @debs == 4;

# ---- lintian ----------------------------------------------------------------------
{
    my (undef, $out) = run('lintian', '--no-tag-display-limit', @debs);
    my @errors = grep { /^E: / } split /\n/, $out;
    my %tags;
    $tags{"$1 $2"}++ while $out =~ /^([WI]): [^:]+: (\S+)/mg;
    is(scalar @errors, 0, 'lintian: no errors') or diag(join("\n", @errors));
    diag('lintian: ' . join(', ', map { "$_ ($tags{$_})" } sort keys %tags)) if %tags;
}

# ---- install ----------------------------------------------------------------------
my $policy = '/usr/sbin/policy-rc.d';
my $own_policy = 0;
if (!-e $policy) {
    open my $fh, '>', $policy or die "$policy: $!";
    print $fh "#!/bin/sh\n# prism tests/packaging/deb.t: no service starts during the test\nexit 101\n";
    close $fh;
    chmod 0755, $policy;
    $own_policy = 1;
}
my ($irc, $iout) = run('env', 'DEBIAN_FRONTEND=noninteractive', 'apt-get', 'install', '-y', '-q',
                       '--no-install-recommends', map { "./$_" } @debs);
my ($installed, $cleaned) = (1, 0);
# whatever happens below, the packages go again
END { cleanup() if $installed && !$cleaned }
is($irc, 0, 'apt-get install -y ./build/deb/*.deb') or diag($iout);
BAIL_OUT('install failed') if $irc != 0;

# ---- files where they are documented ---------------------------------------------
my ($modules) = `nginx -V 2>&1` =~ /--modules-path=(\S+)/;
ok(-f "$modules/ngx_http_prism_module.so", "the module in nginx's modules path $modules");
is(slurp('/usr/share/nginx/modules-available/mod-http-prism.conf'),
   "load_module modules/ngx_http_prism_module.so;\n", 'its load file in modules-available');
is(readlink('/etc/nginx/modules-enabled/50-mod-http-prism.conf'),
   '/usr/share/nginx/modules-available/mod-http-prism.conf', 'enabled by a symlink in modules-enabled');
my ($abi) = `apt-cache show nginx 2>/dev/null` =~ /^Provides:.*\b(nginx-abi-[\w.~+-]+)/m;
like(`dpkg-query -W -f='\${Depends}' libnginx-mod-http-prism`, qr/\b\Q$abi\E\b/,
     "the module depends on the nginx ABI it was built against ($abi)");
ok(-x '/usr/bin/prism-host', 'prism-host in /usr/bin');
ok(-f "/usr/lib/prism/plugins/$_.so", "built-in plugin $_ in /usr/lib/prism/plugins")
    for qw(thumbnail webp watermark);
like(`dpkg-query -W -f='\${Conffiles}' prism-host`, qr{^\s*/etc/prism/prism-host\.json }m,
     '/etc/prism/prism-host.json is a conffile');
ok(-f '/lib/systemd/system/prism-host.service', 'the unit in /lib/systemd/system');
my @pw = getpwnam('prism');
ok(@pw && $pw[2] < 1000, "system user prism (uid " . ($pw[2] // '-') . ')');
ok(-f '/usr/include/prism/plugin.h', 'prism/plugin.h in /usr/include');
ok(-f '/usr/share/pkgconfig/prism-plugin.pc', 'prism-plugin.pc');
ok(-x "/usr/bin/$_", "$_ in /usr/bin") for qw(prism-aws prism-ddb prism-provision prism-run-plugin);

# ---- nginx -t ---------------------------------------------------------------------
{
    my ($rc, $out) = run('nginx', '-t');
    is($rc, 0, "Debian's nginx configuration, modules-enabled included, passes nginx -t") or diag($out);
    # a configuration that uses the module's variables fails unless it is loaded
    mkdir "$tmp/logs";
    open my $fh, '>', "$tmp/nginx.conf" or die;
    print $fh <<"CONF";
include /etc/nginx/modules-enabled/50-mod-http-prism.conf;
error_log stderr;
pid $tmp/nginx.pid;
events {}
http {
    log_format prism_json escape=json '{"outcome":"\$prism_outcome","key":"\$prism_key","image_id":"\$prism_image_id"}';
    server { listen 127.0.0.1:1; access_log $tmp/logs/a.json prism_json; }
}
CONF
    close $fh;
    # nginx's own prefix, where modules/ leads to its modules directory
    ($rc, $out) = run('nginx', '-t', '-c', "$tmp/nginx.conf");
    is($rc, 0, 'the packaged load file loads the module (its variables resolve)') or diag($out);
}

# ---- a plugin with pkg-config ----------------------------------------------------
{
    my $cflags = `pkg-config --cflags prism-plugin`;
    is($?, 0, 'pkg-config knows prism-plugin');
    is(`pkg-config --variable=plugindir prism-plugin`, "/usr/lib/prism/plugins\n", 'its plugindir');
    chomp $cflags;
    my ($rc, $out) = run("cc $cflags -shared -fPIC -Wall -Werror -o $tmp/grayscale.so "
                         . 'examples/plugin-grayscale/grayscale.c');
    is($rc, 0, 'the example plugin builds against the installed header') or diag($out);
    ($rc, $out) = run('/usr/bin/prism-run-plugin', '-p', "'{}'", '-o', "$tmp/out", "$tmp/grayscale.so",
                      'tests/data/images/jpeg-baseline-420.jpg');
    unlike($out, qr/ABI|cannot load|undefined symbol/, 'and loads into the packaged prism-run-plugin')
        or diag($out);
}

# ---- prism-host -t as prism --------------------------------------------------------
{
    my ($rc, $out) = run('setpriv', '--reuid=prism', '--regid=prism', '--init-groups', '--',
                         '/usr/bin/prism-host', '-t', '-c', '/etc/prism/prism-host.json');
    is($rc, 0, 'prism-host -t with the packaged configuration, as the user prism') or diag($out);
    like($out, qr/test is successful/, 'successful');
}

# ---- systemd-analyze verify, security ---------------------------------------------
{
    my ($rc, $out) = run('systemd-analyze', 'verify', '/lib/systemd/system/prism-host.service');
    is($rc, 0, 'systemd-analyze verify: the installed unit is clean') or diag($out);
    is($out, '', 'without a warning') or diag($out);
    (undef, $out) = run('systemd-analyze', 'security', '--offline=yes', '--no-pager',
                           '/lib/systemd/system/prism-host.service');
    my ($exposure) = $out =~ /Overall exposure level for prism-host\.service: ([\d.]+)/;
    diag("systemd-analyze security --offline=yes: exposure " . ($exposure // '?'));
    cmp_ok($exposure // 99, '<=', 2.5, 'the installed unit: exposure at most 2.5') or diag($out);
}

cleanup();

# cleanup(): purges the packages, removes the user prism when the
# install created it, and the policy-rc.d when the test wrote it.
sub cleanup {
    $cleaned = 1;
    my ($rc, $out) = run('env', 'DEBIAN_FRONTEND=noninteractive', 'apt-get', 'purge', '-y', '-q',
                         @packages);
    is($rc, 0, 'apt-get purge') or diag($out);
    ok(!installed($_), "$_ purged") for @packages;
    ok(!-e '/etc/nginx/modules-enabled/50-mod-http-prism.conf'
       && !-l '/etc/nginx/modules-enabled/50-mod-http-prism.conf', 'the modules-enabled symlink is gone');
    ok(!-e '/etc/prism/prism-host.json', 'the conffile is gone');
    if (!$had_user && defined getpwnam('prism')) {
        system('userdel', 'prism') == 0 or diag('userdel prism failed');
        system('groupdel', 'prism') if defined getgrnam('prism');
    }
    is(defined(getpwnam('prism')) ? 1 : 0, $had_user ? 1 : 0, 'the user prism as before the test');
    unlink $policy if $own_policy;
    ($rc, $out) = run('nginx', '-t');
    is($rc, 0, 'nginx -t still passes after the purge') or diag($out);
}
done_testing();

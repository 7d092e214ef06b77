# What the built shared objects export (nm -D --defined-only): the nginx
# module only the symbols nginx looks up in a dynamic module (the module
# itself and ngx_modules, ngx_module_names, ngx_module_order), each
# built-in plugin only its descriptor, prism_plugin.  Everything else of
# prism's libraries is hidden, so a module or plugin cannot clash with,
# or be bound to, another object's functions.  Run after the build.
use strict;
use warnings;
use FindBin;
use Test::More;

my $root = "$FindBin::Bin/../..";
my $module = "$root/build/nginx/objs/ngx_http_prism_module.so";
my @plugins = sort glob("$root/build/plugins/*.so");
plan skip_all => 'nothing built (make)' unless -f $module || @plugins;

# the usual linker symbols of a shared object, not prism's
my %linker = map { $_ => 1 } qw(_init _fini __bss_start _edata _end);

# exports(SO): the names of the defined dynamic symbols of SO, sorted.
sub exports {
    my ($so) = @_;
    my @out = `nm -D --defined-only '$so'`;
    die "nm $so failed\n" if $?;
    return sort grep { !$linker{$_} } map { (split ' ')[-1] } @out;
}

if (-f $module) {
    my @want = qw(ngx_http_prism_module ngx_module_names ngx_module_order ngx_modules);
    my @got = exports($module);
    is_deeply(\@got, \@want, 'the nginx module exports only its module symbols')
        or diag(scalar(@got) . " exported: @got[0 .. ($#got < 20 ? $#got : 19)] ...");
}
for my $so (@plugins) {
    my ($name) = $so =~ m{([^/]+)\.so$};
    my @got = exports($so);
    is_deeply(\@got, ['prism_plugin'], "plugin $name exports only prism_plugin")
        or diag(scalar(@got) . " exported: @got");
}
done_testing();

/*
 * test_aws_xml — path extraction from AWS XML responses (aws/aws_xml.c):
 * namespaces ignored, first match, child text excluded, truncation, and
 * refusal of malformed, DOCTYPE, too deep and too large documents.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "aws_xml.h"

/* S3's documented NoSuchKey error body. */
static const char s3_error[] = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                               "<Error>\n"
                               "  <Code>NoSuchKey</Code>\n"
                               "  <Message>The resource you requested does not exist</Message>\n"
                               "  <Resource>/mybucket/myfoto.jpg</Resource>\n"
                               "  <RequestId>4442587FB7D0A2F9</RequestId>\n"
                               "</Error>";

/* Runs aws_xml_extract on doc for one path; returns its rc. */
static int extract_one(const char *doc, const char *path, char *out, size_t outlen,
                       aws_xml_field_t *f)
{
    char err[128];

    f->path = path;
    f->out = out;
    f->outlen = outlen;
    return aws_xml_extract(doc, strlen(doc), f, 1, err, sizeof(err));
}

static void test_extracts_several_paths(void **state)
{
    char code[32], msg[128], rid[32], missing[8];
    aws_xml_field_t f[] = {
        { "Error/Code", code, sizeof(code), 0, 0 },
        { "Error/Message", msg, sizeof(msg), 0, 0 },
        { "Error/RequestId", rid, sizeof(rid), 0, 0 },
        { "Error/HostId", missing, sizeof(missing), 0, 0 },
    };
    char err[128];

    (void) state;
    assert_int_equal(aws_xml_extract(s3_error, strlen(s3_error), f, 4, err, sizeof(err)), 0);
    assert_true(f[0].found && f[1].found && f[2].found);
    assert_string_equal(code, "NoSuchKey");
    assert_string_equal(msg, "The resource you requested does not exist");
    assert_string_equal(rid, "4442587FB7D0A2F9");
    assert_false(f[3].found);
    assert_string_equal(missing, "");
}

static void test_namespaces_are_ignored(void **state)
{
    const char *doc = "<s3:Result xmlns:s3=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
                      "<s3:UploadId>abc</s3:UploadId></s3:Result>";
    const char *dflt =
        "<PublishResponse xmlns=\"https://sns.amazonaws.com/doc/2010-03-31/\"><PublishResult>"
        "<MessageId>m-1</MessageId></PublishResult></PublishResponse>";
    aws_xml_field_t f;
    char out[16];

    (void) state;
    assert_int_equal(extract_one(doc, "Result/UploadId", out, sizeof(out), &f), 0);
    assert_true(f.found);
    assert_string_equal(out, "abc");
    assert_int_equal(
        extract_one(dflt, "PublishResponse/PublishResult/MessageId", out, sizeof(out), &f), 0);
    assert_string_equal(out, "m-1");
}

static void test_path_is_anchored_at_the_root(void **state)
{
    const char *doc = "<A><B><Code>inner</Code></B><Code>outer</Code></A>";
    aws_xml_field_t f;
    char out[16];

    (void) state;
    assert_int_equal(extract_one(doc, "A/Code", out, sizeof(out), &f), 0);
    assert_string_equal(out, "outer");
    assert_int_equal(extract_one(doc, "B/Code", out, sizeof(out), &f), 0);
    assert_false(f.found);
    assert_int_equal(extract_one(doc, "Code", out, sizeof(out), &f), 0);
    assert_false(f.found);
}

static void test_first_match_and_own_text_only(void **state)
{
    const char *doc = "<R><V>one<X>child</X>two</V><V>second</V></R>";
    aws_xml_field_t f;
    char out[32];

    (void) state;
    assert_int_equal(extract_one(doc, "R/V", out, sizeof(out), &f), 0);
    assert_string_equal(out, "onetwo");
}

static void test_entities_and_cdata_are_decoded(void **state)
{
    const char *doc = "<R><E>&quot;3858f6&quot; &amp; &lt;<![CDATA[x>y]]></E></R>";
    aws_xml_field_t f;
    char out[32];

    (void) state;
    assert_int_equal(extract_one(doc, "R/E", out, sizeof(out), &f), 0);
    assert_string_equal(out, "\"3858f6\" & <x>y");
}

static void test_truncation_is_reported(void **state)
{
    aws_xml_field_t f;
    char out[5];

    (void) state;
    assert_int_equal(extract_one(s3_error, "Error/Code", out, sizeof(out), &f), 0);
    assert_true(f.found);
    assert_true(f.truncated);
    assert_string_equal(out, "NoSu");
}

static void test_malformed_documents_fail(void **state)
{
    const char *bad[] = {
        "", "<A><B></A>", "not xml", "<A>", "<A></A><B></B>", "<A x='1' x='2'/>"
    };
    aws_xml_field_t f;
    char out[8], err[128];
    size_t i;

    (void) state;
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        f.path = "A";
        f.out = out;
        f.outlen = sizeof(out);
        err[0] = '\0';
        assert_int_equal(aws_xml_extract(bad[i], strlen(bad[i]), &f, 1, err, sizeof(err)), -1);
        assert_false(f.found);
        assert_true(err[0] != '\0');
    }
}

static void test_doctype_and_entity_expansion_refused(void **state)
{
    const char *lol = "<?xml version=\"1.0\"?><!DOCTYPE lolz [<!ENTITY lol \"lol\">"
                      "<!ENTITY lol2 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">]>"
                      "<Error><Code>&lol2;</Code></Error>";
    aws_xml_field_t f = { "Error/Code", NULL, 0, 0, 0 };
    char out[64], err[128];

    (void) state;
    f.out = out;
    f.outlen = sizeof(out);
    assert_int_equal(aws_xml_extract(lol, strlen(lol), &f, 1, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "DOCTYPE"));
    assert_false(f.found);
}

static void test_depth_and_size_limits(void **state)
{
    aws_xml_field_t f;
    char out[8], err[128];
    char *deep = malloc(AWS_XML_MAX_DEPTH * 8 + 16), *p = deep;
    char *big = malloc(AWS_XML_MAX_DOC + 16);
    int i;

    (void) state;
    for (i = 0; i < AWS_XML_MAX_DEPTH + 1; i++) {
        p += sprintf(p, "<a>");
    }
    for (i = 0; i < AWS_XML_MAX_DEPTH + 1; i++) {
        p += sprintf(p, "</a>");
    }
    f.path = "a";
    f.out = out;
    f.outlen = sizeof(out);
    assert_int_equal(aws_xml_extract(deep, strlen(deep), &f, 1, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "deep"));

    memcpy(big, "<a>", 3);
    memset(big + 3, 'x', AWS_XML_MAX_DOC);
    memcpy(big + 3 + AWS_XML_MAX_DOC, "</a>", 4);
    assert_int_equal(aws_xml_extract(big, AWS_XML_MAX_DOC + 7, &f, 1, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "limit"));
    free(deep);
    free(big);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_extracts_several_paths),
        cmocka_unit_test(test_namespaces_are_ignored),
        cmocka_unit_test(test_path_is_anchored_at_the_root),
        cmocka_unit_test(test_first_match_and_own_text_only),
        cmocka_unit_test(test_entities_and_cdata_are_decoded),
        cmocka_unit_test(test_truncation_is_reported),
        cmocka_unit_test(test_malformed_documents_fail),
        cmocka_unit_test(test_doctype_and_entity_expansion_refused),
        cmocka_unit_test(test_depth_and_size_limits),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}

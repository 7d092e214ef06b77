
/*
 * The outbox's spool as the replay (ngx_http_prism_replay.c) sees it:
 * a look at the directory, the claim of an entry or an intent, its
 * decoding, and the end of a claim (deleted, moved to failed/, or
 * released).  The journal entries and intents are written on the
 * request path (ngx_http_prism_outbox.c, ngx_http_prism_intent.c).
 *
 * The replay (ngx_http_prism_replay.c) claims an entry with a
 * non-blocking flock() on an open descriptor of its file, then checks
 * that the name still leads to the locked file (it may have been
 * replayed and deleted, or moved, meanwhile).  The lock is held until the
 * entry is deleted (SNS acknowledged it), moved to failed/ (SNS refuses
 * it for good, it is unreadable, or older than max_age) or released (SNS
 * still fails).  A lock belongs to the open file, so a worker that dies,
 * is killed or exits after a reload releases its claims with its
 * descriptors: no entry stays claimed by a dead process, none is claimed
 * twice, whatever the number of workers, reloads and restarts (or nginx
 * instances sharing the directory on one host).  Delivery is at least
 * once: a worker killed after SNS acknowledged an event and before its
 * file was deleted leaves it to be published again, as does a publish
 * that timed out after SNS had taken it.
 *
 * The spool also holds the intents of the uploads under way
 * (ngx_http_prism_intent.c), IMAGE_ID.intent: the same entry written
 * before the original is stored, plus what tells the original apart
 * (bucket or local path, size, SHA-256) and when it may be resolved.  Its
 * writer keeps it open and locked until the upload is answered, then
 * deletes it; so the replay claims only the intents of workers that died,
 * and only past their grace.  Resolving one: an original that is this
 * upload's (S3: HeadObject on the event loop, see the replay; local: its
 * size and SHA-256, here) is published, else the intent is forgotten.
 *
 * This file I/O blocks, so it runs in prism_thread_pool; the event loop
 * only closes descriptors (of local files: that does not wait).
 */


#include "ngx_http_prism.h"

#if (NGX_THREADS)

#include <sys/file.h>

#include "spool_entry.h"


/* the largest entry read back (a message is at most 256 KiB) */
#define NGX_HTTP_PRISM_ENTRY_MAX       (1024 * 1024)

/* the most names one look at the spool considers */
#define NGX_HTTP_PRISM_SCAN_NAMES      1024

/* a temporary file this old was left by a crash */
#define NGX_HTTP_PRISM_TMP_STALE       600

#define NGX_HTTP_PRISM_FAILED_DIR      "failed"

/* the pieces an original's SHA-256 is read in (local intents) */
#define NGX_HTTP_PRISM_HASH_CHUNK      65536


static void ngx_http_prism_outbox_stale(ngx_http_prism_scan_t *scan,
    ngx_str_t *name, ngx_log_t *log);
static ngx_int_t ngx_http_prism_outbox_claim(ngx_http_prism_scan_t *scan,
    ngx_str_t *name, ngx_http_prism_entry_t *entry, ngx_log_t *log);
static ngx_int_t ngx_http_prism_outbox_read(ngx_http_prism_scan_t *scan,
    ngx_http_prism_entry_t *entry, u_char *path, ngx_log_t *log, char *err,
    size_t errlen);
static ngx_int_t ngx_http_prism_outbox_decode(ngx_pool_t *pool, u_char *buf,
    size_t len, ngx_http_prism_entry_t *entry, char *err, size_t errlen);
static ngx_int_t ngx_http_prism_outbox_local(ngx_http_prism_scan_t *scan,
    ngx_http_prism_entry_t *entry, ngx_log_t *log);
static ngx_int_t ngx_http_prism_outbox_suffix(ngx_str_t *name,
    const char *suffix);
static char *ngx_http_prism_outbox_strdup(ngx_pool_t *pool, const char *s);


/*
 * In a pool thread: looks at the spool directory, counts its entries
 * (scan->depth; intents are not counted), removes temporary files left
 * by a crash, and claims up to scan->nentries entries and intents past
 * their grace into scan->entries, read and decoded; scan->nentries
 * becomes the number claimed.  Entries that cannot be replayed are moved
 * to failed/ on the way (scan->rejected), local intents whose original
 * is not their upload's are deleted (scan->forgotten).  Uses scan->pool,
 * which nothing else touches meanwhile.  Failures are logged.
 */

void
ngx_http_prism_outbox_scan(void *data, ngx_log_t *log)
{
    ngx_http_prism_scan_t  *scan = data;

    ngx_dir_t    dir;
    ngx_str_t    name, *names, *spool;
    ngx_uint_t   i, n, claimed;

    spool = &scan->outbox->path->name;

    claimed = 0;

    names = ngx_palloc(scan->pool,
                       NGX_HTTP_PRISM_SCAN_NAMES * sizeof(ngx_str_t));
    if (names == NULL) {
        goto done;
    }

    if (ngx_open_dir(spool, &dir) == NGX_ERROR) {
        ngx_log_error(NGX_LOG_CRIT, log, ngx_errno,
                      "prism: " ngx_open_dir_n " \"%V\" failed", spool);
        goto done;
    }

    n = 0;

    for ( ;; ) {
        ngx_set_errno(0);

        if (ngx_read_dir(&dir) == NGX_ERROR) {
            if (ngx_errno != NGX_ENOMOREFILES) {
                ngx_log_error(NGX_LOG_CRIT, log, ngx_errno,
                              "prism: " ngx_read_dir_n " \"%V\" failed",
                              spool);
            }

            break;
        }

        name.data = ngx_de_name(&dir);
        name.len = ngx_de_namelen(&dir);

        if (name.data[0] == '.') {
            ngx_http_prism_outbox_stale(scan, &name, log);
            continue;
        }

        if (ngx_http_prism_outbox_suffix(&name, ".json") == NGX_OK) {
            scan->depth++;

        } else if (ngx_http_prism_outbox_suffix(&name, ".intent")
                   != NGX_OK)
        {
            continue;
        }

        if (n < NGX_HTTP_PRISM_SCAN_NAMES) {
            names[n].data = ngx_pstrdup(scan->pool, &name);
            if (names[n].data == NULL) {
                break;
            }

            names[n++].len = name.len;
        }
    }

    (void) ngx_close_dir(&dir);

    for (i = 0; i < n && claimed < scan->nentries; i++) {
        if (ngx_http_prism_outbox_claim(scan, &names[i],
                                        &scan->entries[claimed], log)
            == NGX_OK)
        {
            claimed++;
        }
    }

done:

    scan->nentries = claimed;
}


/*
 * Removes a temporary file of the spool (".IMAGE_ID.tmp") old enough to
 * have been left by a writer that crashed: its upload was not answered
 * 201.  Other hidden names are left alone.
 */

static void
ngx_http_prism_outbox_stale(ngx_http_prism_scan_t *scan, ngx_str_t *name,
    ngx_log_t *log)
{
    u_char           *path;
    ngx_file_info_t   fi;

    if (ngx_http_prism_outbox_suffix(name, ".tmp") != NGX_OK) {
        return;
    }

    path = ngx_http_prism_path_join(scan->pool, &scan->outbox->path->name,
                                      "", name, "");
    if (path == NULL || ngx_file_info(path, &fi) == NGX_FILE_ERROR) {
        return;
    }

    if (scan->now - ngx_file_mtime(&fi) < NGX_HTTP_PRISM_TMP_STALE) {
        return;
    }

    if (ngx_delete_file(path) == NGX_FILE_ERROR) {
        ngx_log_error(NGX_LOG_CRIT, log, ngx_errno,
                      "prism: " ngx_delete_file_n " \"%s\" failed", path);
        return;
    }

    ngx_log_error(NGX_LOG_NOTICE, log, 0,
                  "prism: removed \"%s\", left by an interrupted journaling",
                  path);
}


/*
 * Claims the entry NAME for this worker into entry: opens it, locks it
 * without waiting, checks that it is still the spool's entry, reads it;
 * an intent only past its grace, a local one only when its original is
 * its upload's.  Returns NGX_OK with the file kept open and locked, or
 * NGX_DECLINED when another worker (or the intent's upload) holds it, it
 * is gone, its grace is not over, or it could not be replayed (then it
 * was moved to failed/) or was forgotten (deleted).
 */

static ngx_int_t
ngx_http_prism_outbox_claim(ngx_http_prism_scan_t *scan, ngx_str_t *name,
    ngx_http_prism_entry_t *entry, ngx_log_t *log)
{
    u_char           *path;
    ngx_fd_t          fd;
    ngx_err_t         err;
    ngx_file_info_t   fi, pi;
    char              reason[256];

    path = ngx_http_prism_path_join(scan->pool, &scan->outbox->path->name,
                                      "", name, "");
    if (path == NULL) {
        return NGX_DECLINED;
    }

    fd = ngx_open_file(path, NGX_FILE_RDONLY, NGX_FILE_OPEN, 0);

    if (fd == NGX_INVALID_FILE) {
        err = ngx_errno;

        /* replayed meanwhile by another worker */

        if (err != NGX_ENOENT) {
            ngx_log_error(NGX_LOG_CRIT, log, err,
                          "prism: " ngx_open_file_n " \"%s\" failed", path);
        }

        return NGX_DECLINED;
    }

    /*
     * a lock held by another worker means that it replays the entry; a
     * name that no longer leads to the locked file means that it was
     * replayed, or moved to failed/, since this worker opened it
     */

    if (flock(fd, LOCK_EX|LOCK_NB) == -1
        || ngx_fd_info(fd, &fi) == NGX_FILE_ERROR
        || ngx_file_info(path, &pi) == NGX_FILE_ERROR
        || fi.st_ino != pi.st_ino || fi.st_dev != pi.st_dev)
    {
        (void) ngx_close_file(fd);
        return NGX_DECLINED;
    }

    ngx_memzero(entry, sizeof(ngx_http_prism_entry_t));

    entry->outbox = scan->outbox;
    entry->name = *name;
    entry->fd = fd;
    entry->state = ngx_http_prism_entry_claimed;
    entry->intent = ngx_http_prism_outbox_suffix(name, ".intent") == NGX_OK;

    switch (ngx_http_prism_outbox_read(scan, entry, path, log, reason,
                                       sizeof(reason)))
    {
    case NGX_OK:
        break;

    case NGX_DECLINED:
        goto reject;

    default: /* NGX_ERROR: tried again later */
        ngx_http_prism_outbox_release(entry);
        return NGX_DECLINED;
    }

    if (!entry->intent) {
        if (scan->outbox->max_age
            && scan->now - entry->journaled > scan->outbox->max_age)
        {
            ngx_cpystrn((u_char *) reason, (u_char *) "is older than max_age",
                        sizeof(reason));
            goto reject;
        }

        return NGX_OK;
    }

    if (scan->now < entry->resolve_after) {
        ngx_http_prism_outbox_release(entry);
        return NGX_DECLINED;
    }

    if (entry->local_path.len == 0) {
        return NGX_OK;                   /* S3: the replay asks HeadObject */
    }

    switch (ngx_http_prism_outbox_local(scan, entry, log)) {

    case NGX_OK:
        entry->verified = 1;
        return NGX_OK;

    case NGX_DECLINED:
        entry->state = ngx_http_prism_entry_forgotten;
        scan->forgotten++;
        ngx_http_prism_outbox_finish(entry, log);
        return NGX_DECLINED;

    default: /* NGX_ERROR: tried again later */
        ngx_http_prism_outbox_release(entry);
        return NGX_DECLINED;
    }

reject:

    ngx_log_error(NGX_LOG_ERR, log, 0,
                  "prism: outbox entry \"%s\" %s, moved to "
                  NGX_HTTP_PRISM_FAILED_DIR "/", path, reason);

    entry->state = ngx_http_prism_entry_rejected;
    scan->rejected++;

    ngx_http_prism_outbox_finish(entry, log);

    return NGX_DECLINED;
}


/*
 * Reads and decodes the claimed entry's file.  Returns NGX_OK;
 * NGX_DECLINED with the reason in err when it can never be replayed; or
 * NGX_ERROR after logging a failure to read it.
 */

static ngx_int_t
ngx_http_prism_outbox_read(ngx_http_prism_scan_t *scan,
    ngx_http_prism_entry_t *entry, u_char *path, ngx_log_t *log, char *err,
    size_t errlen)
{
    off_t             size;
    u_char           *buf;
    size_t            done;
    ssize_t           n;
    ngx_file_info_t   fi;

    if (ngx_fd_info(entry->fd, &fi) == NGX_FILE_ERROR) {
        ngx_log_error(NGX_LOG_CRIT, log, ngx_errno,
                      "prism: " ngx_fd_info_n " \"%s\" failed", path);
        return NGX_ERROR;
    }

    size = ngx_file_size(&fi);

    if (size > NGX_HTTP_PRISM_ENTRY_MAX) {
        ngx_snprintf((u_char *) err, errlen, "is larger than %d bytes%Z",
                     NGX_HTTP_PRISM_ENTRY_MAX);
        return NGX_DECLINED;
    }

    buf = ngx_pnalloc(scan->pool, (size_t) size + 1);
    if (buf == NULL) {
        return NGX_ERROR;
    }

    for (done = 0; done < (size_t) size; done += n) {
        n = pread(entry->fd, buf + done, (size_t) size - done, (off_t) done);

        if (n == -1) {
            ngx_log_error(NGX_LOG_CRIT, log, ngx_errno,
                          "prism: pread() \"%s\" failed", path);
            return NGX_ERROR;
        }

        if (n == 0) {
            ngx_snprintf((u_char *) err, errlen, "is truncated%Z");
            return NGX_DECLINED;
        }
    }

    if (ngx_http_prism_outbox_decode(scan->pool, buf, (size_t) size, entry,
                                     err, errlen)
        != NGX_OK)
    {
        return NGX_DECLINED;
    }

    return NGX_OK;
}


/*
 * Decodes an entry (ingress/spool_entry.h) into entry's publish
 * parameters, key, request id, time and, for an intent (entry->intent),
 * what tells its original apart; the strings are copied into pool.
 * Returns NGX_OK, or NGX_ERROR with the reason in err.
 */

static ngx_int_t
ngx_http_prism_outbox_decode(ngx_pool_t *pool, u_char *buf, size_t len,
    ngx_http_prism_entry_t *entry, char *err, size_t errlen)
{
    size_t              i;
    ngx_int_t           rc;
    ing_spool_entry_t   e;

    if (ing_spool_decode((char *) buf, len, &e, err, errlen) != 0) {
        return NGX_ERROR;
    }

    rc = NGX_ERROR;

    if (entry->intent && ing_spool_intent_check(&e, err, errlen) != 0) {
        goto done;
    }

    for (i = 0; i < e.nattrs; i++) {
        entry->attrs[i].name = ngx_http_prism_outbox_strdup(pool,
                                                            e.attrs[i].name);
        entry->attrs[i].type = ngx_http_prism_outbox_strdup(pool,
                                                            e.attrs[i].type);
        entry->attrs[i].value = ngx_http_prism_outbox_strdup(pool,
                                                             e.attrs[i].value);

        if (entry->attrs[i].name == NULL || entry->attrs[i].type == NULL
            || entry->attrs[i].value == NULL)
        {
            goto nomem;
        }
    }

    entry->params.topic_arn = ngx_http_prism_outbox_strdup(pool, e.topic_arn);
    entry->params.message = ngx_http_prism_outbox_strdup(pool, e.message);

    if (e.group_id) {
        entry->params.message_group_id = ngx_http_prism_outbox_strdup(pool,
                                                                  e.group_id);
        if (entry->params.message_group_id == NULL) {
            goto nomem;
        }
    }

    if (e.dedup_id) {
        entry->params.deduplication_id = ngx_http_prism_outbox_strdup(pool,
                                                                  e.dedup_id);
        if (entry->params.deduplication_id == NULL) {
            goto nomem;
        }
    }

    if (entry->params.topic_arn == NULL || entry->params.message == NULL
        || ngx_http_prism_strdup(pool, &entry->key, (u_char *) e.key,
                                 ngx_strlen(e.key))
           != NGX_OK
        || ngx_http_prism_strdup(pool, &entry->request_id,
                                 (u_char *) e.request_id,
                                 ngx_strlen(e.request_id))
           != NGX_OK
        || ngx_http_prism_strdup(pool, &entry->image_id,
                                 (u_char *) e.image_id,
                                 ngx_strlen(e.image_id))
           != NGX_OK
        || ngx_http_prism_strdup(pool, &entry->bucket, (u_char *) e.bucket,
                                 ngx_strlen(e.bucket))
           != NGX_OK
        || (e.local_path
            && ngx_http_prism_strdup(pool, &entry->local_path,
                                     (u_char *) e.local_path,
                                     ngx_strlen(e.local_path))
               != NGX_OK))
    {
        goto nomem;
    }

    entry->params.attrs = entry->attrs;
    entry->params.nattrs = e.nattrs;
    entry->journaled = (time_t) e.journaled;
    entry->size = (off_t) e.size;
    entry->resolve_after = (time_t) e.resolve_after;
    ngx_cpystrn(entry->sha256, (u_char *) e.sha256, sizeof(entry->sha256));

    rc = NGX_OK;
    goto done;

nomem:

    ngx_snprintf((u_char *) err, errlen, "cannot be decoded: out of memory%Z");

done:

    ing_spool_entry_free(&e);

    return rc;
}


/*
 * In a pool thread (or, when no task can be posted, in the event loop):
 * ends a claim.  A published entry is deleted, a rejected one moved to
 * failed/ (created when needed); then its lock is released.  Failures
 * are logged: an entry that could not be deleted will be published
 * again, one that could not be moved is tried again.
 */

void
ngx_http_prism_outbox_finish(void *data, ngx_log_t *log)
{
    ngx_http_prism_entry_t  *entry = data;

    u_char     *p;
    ngx_str_t  *spool;
    u_char      path[NGX_MAX_PATH], failed[NGX_MAX_PATH], to[NGX_MAX_PATH];

    spool = &entry->outbox->path->name;

    /* the longest of the three names is checked */

    ngx_snprintf(path, sizeof(path), "%V/%V%Z", spool, &entry->name);
    ngx_snprintf(failed, sizeof(failed), "%V/" NGX_HTTP_PRISM_FAILED_DIR "%Z",
                 spool);
    p = ngx_snprintf(to, sizeof(to), "%s/%V%Z", failed, &entry->name);

    if (p == to + sizeof(to)) {
        ngx_log_error(NGX_LOG_CRIT, log, 0,
                      "prism: the outbox entry name \"%V\" is too long",
                      &entry->name);
        goto release;
    }

    switch (entry->state) {

    case ngx_http_prism_entry_published:
    case ngx_http_prism_entry_forgotten:

        if (ngx_delete_file(path) == NGX_FILE_ERROR) {
            ngx_log_error(NGX_LOG_CRIT, log, ngx_errno,
                          "prism: " ngx_delete_file_n " \"%s\" failed, the "
                          "event will be published again", path);
        }

        break;

    case ngx_http_prism_entry_rejected:

        if (ngx_create_dir(failed, 0700) == NGX_FILE_ERROR
            && ngx_errno != NGX_EEXIST)
        {
            ngx_log_error(NGX_LOG_CRIT, log, ngx_errno,
                          "prism: " ngx_create_dir_n " \"%s\" failed",
                          failed);
            break;
        }

        if (ngx_rename_file(path, to) == NGX_FILE_ERROR) {
            ngx_log_error(NGX_LOG_CRIT, log, ngx_errno,
                          "prism: " ngx_rename_file_n " \"%s\" to \"%s\" "
                          "failed", path, to);
            break;
        }

        if (ngx_http_prism_sync_dir(failed) == -1) {
            ngx_log_error(NGX_LOG_CRIT, log, ngx_errno,
                          "prism: fsync() of \"%s\" failed", failed);
        }

        break;

    default:
        break;
    }

release:

    ngx_http_prism_outbox_release(entry);
}


/*
 * Releases a claim: closes the entry's file, which drops its lock.  The
 * entry stays in the spool unless ngx_http_prism_outbox_finish() deleted
 * or moved it.
 */

void
ngx_http_prism_outbox_release(ngx_http_prism_entry_t *entry)
{
    if (entry->fd != NGX_INVALID_FILE) {
        (void) ngx_close_file(entry->fd);
        entry->fd = NGX_INVALID_FILE;
    }
}


/*
 * In a pool thread: tells whether the local intent's original is its
 * upload's: present, of its size and its SHA-256.  Returns NGX_OK;
 * NGX_DECLINED when it is missing or another file; NGX_ERROR after
 * logging a failure to read it.
 */

static ngx_int_t
ngx_http_prism_outbox_local(ngx_http_prism_scan_t *scan,
    ngx_http_prism_entry_t *entry, ngx_log_t *log)
{
    u_char           *buf;
    ngx_fd_t          fd;
    ngx_int_t         rc;
    ngx_err_t         err;
    ngx_file_info_t   fi;
    u_char            hex[65];

    fd = ngx_open_file(entry->local_path.data, NGX_FILE_RDONLY,
                       NGX_FILE_OPEN, 0);

    if (fd == NGX_INVALID_FILE) {
        if (ngx_errno == NGX_ENOENT) {
            return NGX_DECLINED;
        }

        ngx_log_error(NGX_LOG_CRIT, log, ngx_errno,
                      "prism: " ngx_open_file_n " \"%V\" failed",
                      &entry->local_path);
        return NGX_ERROR;
    }

    rc = NGX_ERROR;

    if (ngx_fd_info(fd, &fi) == NGX_FILE_ERROR) {
        ngx_log_error(NGX_LOG_CRIT, log, ngx_errno,
                      "prism: " ngx_fd_info_n " \"%V\" failed",
                      &entry->local_path);
        goto done;
    }

    if (ngx_file_size(&fi) != entry->size) {
        rc = NGX_DECLINED;
        goto done;
    }

    buf = ngx_pnalloc(scan->pool, NGX_HTTP_PRISM_HASH_CHUNK);
    if (buf == NULL) {
        goto done;
    }

    rc = ngx_http_prism_sha256_fd(fd, 0, entry->size, buf,
                                  NGX_HTTP_PRISM_HASH_CHUNK, hex, &err);

    if (rc == NGX_ERROR) {
        ngx_log_error(NGX_LOG_CRIT, log, err,
                      "prism: hashing \"%V\" failed", &entry->local_path);
        goto done;
    }

    if (rc == NGX_DECLINED) {   /* it shrank: another file */
        goto done;
    }

    rc = ngx_strcmp(hex, (u_char *) entry->sha256) == 0 ? NGX_OK : NGX_DECLINED;

done:

    (void) ngx_close_file(fd);

    return rc;
}


/* Returns NGX_OK when name ends in suffix after at least one character. */

static ngx_int_t
ngx_http_prism_outbox_suffix(ngx_str_t *name, const char *suffix)
{
    size_t  len;

    len = ngx_strlen(suffix);

    if (name->len <= len
        || ngx_strncmp(name->data + name->len - len, suffix, len) != 0)
    {
        return NGX_DECLINED;
    }

    return NGX_OK;
}


/* Returns a NUL-terminated copy of s in pool, or NULL when memory runs out. */

static char *
ngx_http_prism_outbox_strdup(ngx_pool_t *pool, const char *s)
{
    ngx_str_t  copy;

    if (ngx_http_prism_strdup(pool, &copy, (u_char *) s, ngx_strlen(s))
        != NGX_OK)
    {
        return NULL;
    }

    return (char *) copy.data;
}


#endif /* NGX_THREADS */


/*
 * How a step of an upload ends when it could not end at once.
 *
 * The handler (ngx_http_prism_handler.c) drives the upload as a state
 * machine: each step (store, publish, journal, intent...) returns
 * NGX_AGAIN when its work goes on, on nginx's event loop (an AWS call)
 * or in prism_thread_pool (file I/O), and then hands its result to
 * ngx_http_prism_resume() once the work is done.  That calls the state
 * machine back through ctx->resume, so a step knows nothing of the
 * steps after it, and no step's file calls into the handler's.
 *
 * Blocking work goes to the thread pool through ngx_http_prism_task_post():
 * the request is blocked while the task runs (its memory is the task's),
 * and when the task is back on the event loop its "done" function turns
 * the task's outcome into the step's result.
 */


#include "ngx_http_prism.h"


#if (NGX_THREADS)

/* what comes back with a task: its request and how it ends */
typedef struct {
    ngx_http_request_t            *request;
    ngx_http_prism_task_done_pt    done;
} ngx_http_prism_task_t;


static void ngx_http_prism_task_event(ngx_event_t *ev);

#endif


/*
 * Hands the result rc of the upload's current step to its state machine
 * (ctx->resume), then runs the requests posted meanwhile, as every event
 * handler of nginx's does after finalizing a request.
 */

void
ngx_http_prism_resume(ngx_http_request_t *r, ngx_int_t rc)
{
    ngx_connection_t      *c;
    ngx_http_prism_ctx_t  *ctx;

    c = r->connection;
    ctx = ngx_http_get_module_ctx(r, ngx_http_prism_module);

    ctx->resume(r, ctx, rc);

    ngx_http_run_posted_requests(c);
}


#if (NGX_THREADS)

/*
 * A thread task of the request r with size bytes of its own (task->ctx,
 * zeroed).  Returns the task, or NULL when memory runs out.
 */

ngx_thread_task_t *
ngx_http_prism_task_alloc(ngx_http_request_t *r, size_t size)
{
    ngx_thread_task_t      *task;
    ngx_http_prism_task_t  *pt;

    task = ngx_thread_task_alloc(r->pool,
                                 sizeof(ngx_http_prism_task_t) + size);
    if (task == NULL) {
        return NULL;
    }

    pt = task->ctx;
    pt->request = r;

    task->ctx = pt + 1;
    task->event.handler = ngx_http_prism_task_event;
    task->event.data = pt;
    task->event.log = r->connection->log;

    return task;
}


/*
 * Posts the task to prism_thread_pool: handler runs in a pool thread,
 * then done(r, task->ctx) on the event loop, whose result goes to
 * ngx_http_prism_resume().  Returns NGX_OK when the task is posted
 * (the request is blocked until it is back), or NGX_ERROR.
 */

ngx_int_t
ngx_http_prism_task_post(ngx_http_request_t *r, ngx_thread_task_t *task,
    ngx_http_prism_task_handler_pt handler, ngx_http_prism_task_done_pt done)
{
    ngx_http_prism_task_t       *pt;
    ngx_http_prism_main_conf_t  *pmcf;

    pmcf = ngx_http_get_module_main_conf(r, ngx_http_prism_module);

    pt = task->event.data;
    pt->done = done;

    task->handler = handler;

    if (ngx_thread_task_post(pmcf->thread_pool, task) != NGX_OK) {
        return NGX_ERROR;
    }

    /* the request's memory is the task's until it is back */

    r->main->blocked++;

    return NGX_OK;
}


/* A task is back on the event loop: its result goes to the upload. */

static void
ngx_http_prism_task_event(ngx_event_t *ev)
{
    ngx_http_prism_task_t  *pt = ev->data;

    ngx_int_t            rc;
    ngx_http_request_t  *r;

    r = pt->request;

    r->main->blocked--;

    rc = pt->done(r, pt + 1);

    ngx_http_prism_resume(r, rc);
}

#endif

/*
 * A Redis module for the tests of piisniff: a data type named "ReJSON-RL"
 * (the type name of RedisJSON values) with JSON.SET and JSON.GET on the
 * document root, so that the Redis connector's reading of RedisJSON keys
 * runs against a real server. It stores the JSON text as it was given and
 * does not parse it; paths other than the root ($ or .) are refused.
 *
 * It declares the few functions of the Redis module API it uses itself
 * (the API hands them out by name through RedisModule_GetApi, the first
 * word of the context passed to RedisModule_OnLoad), so it builds with any
 * C compiler and no Redis headers: cc -shared -fPIC -o rejson.so rejson.c
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define REDISMODULE_OK 0
#define REDISMODULE_ERR 1
#define REDISMODULE_APIVER_1 1
#define REDISMODULE_READ (1 << 0)
#define REDISMODULE_WRITE (1 << 1)
#define REDISMODULE_KEYTYPE_EMPTY 0
#define REDISMODULE_KEYTYPE_MODULE 6

typedef struct RedisModuleCtx RedisModuleCtx;
typedef struct RedisModuleKey RedisModuleKey;
typedef struct RedisModuleString RedisModuleString;
typedef struct RedisModuleIO RedisModuleIO;
typedef struct RedisModuleType RedisModuleType;
typedef struct RedisModuleDigest RedisModuleDigest;

typedef int (*CmdFunc)(RedisModuleCtx *ctx, RedisModuleString **argv, int argc);

/* The first version of the type methods' table. */
typedef struct {
    uint64_t version;
    void *(*rdb_load)(RedisModuleIO *rdb, int encver);
    void (*rdb_save)(RedisModuleIO *rdb, void *value);
    void (*aof_rewrite)(RedisModuleIO *aof, RedisModuleString *key, void *value);
    size_t (*mem_usage)(const void *value);
    void (*digest)(RedisModuleDigest *digest, void *value);
    void (*free)(void *value);
} TypeMethods;

static int (*GetApi)(const char *name, void *fn);
static void (*SetModuleAttribs)(RedisModuleCtx *ctx, const char *name, int ver, int apiver);
static int (*CreateCommand)(RedisModuleCtx *ctx, const char *name, CmdFunc fn, const char *flags, int first, int last, int step);
static RedisModuleType *(*CreateDataType)(RedisModuleCtx *ctx, const char *name, int encver, TypeMethods *m);
static RedisModuleKey *(*OpenKey)(RedisModuleCtx *ctx, RedisModuleString *name, int mode);
static void (*CloseKey)(RedisModuleKey *key);
static int (*KeyType)(RedisModuleKey *key);
static RedisModuleType *(*ModuleTypeGetType)(RedisModuleKey *key);
static void *(*ModuleTypeGetValue)(RedisModuleKey *key);
static int (*ModuleTypeSetValue)(RedisModuleKey *key, RedisModuleType *mt, void *value);
static const char *(*StringPtrLen)(const RedisModuleString *s, size_t *len);
static int (*ReplyWithStringBuffer)(RedisModuleCtx *ctx, const char *buf, size_t len);
static int (*ReplyWithSimpleString)(RedisModuleCtx *ctx, const char *msg);
static int (*ReplyWithNull)(RedisModuleCtx *ctx);
static int (*ReplyWithError)(RedisModuleCtx *ctx, const char *err);
static int (*WrongArity)(RedisModuleCtx *ctx);
static int (*ReplicateVerbatim)(RedisModuleCtx *ctx);
static void *(*Alloc)(size_t n);
static void (*Free)(void *p);
static void (*SaveStringBuffer)(RedisModuleIO *io, const char *s, size_t len);
static char *(*LoadStringBuffer)(RedisModuleIO *io, size_t *len);

static RedisModuleType *jsonType;

typedef struct {
    size_t len;
    char text[];
} Doc;

static Doc *newDoc(const char *s, size_t len) {
    Doc *d = Alloc(sizeof(Doc) + len);
    d->len = len;
    memcpy(d->text, s, len);
    return d;
}

static int isRoot(RedisModuleString *path) {
    size_t n;
    const char *p = StringPtrLen(path, &n);
    return (n == 1 && (p[0] == '$' || p[0] == '.'));
}

/* JSON.SET key path json: the root only. */
static int jsonSet(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    if (argc != 4) return WrongArity(ctx);
    if (!isRoot(argv[2])) return ReplyWithError(ctx, "ERR this test module sets the root ($) only");
    RedisModuleKey *key = OpenKey(ctx, argv[1], REDISMODULE_READ | REDISMODULE_WRITE);
    int t = KeyType(key);
    if (t != REDISMODULE_KEYTYPE_EMPTY && ModuleTypeGetType(key) != jsonType) {
        CloseKey(key);
        return ReplyWithError(ctx, "WRONGTYPE Operation against a key holding the wrong kind of value");
    }
    size_t n;
    const char *s = StringPtrLen(argv[3], &n);
    ModuleTypeSetValue(key, jsonType, newDoc(s, n));
    CloseKey(key);
    ReplicateVerbatim(ctx);
    return ReplyWithSimpleString(ctx, "OK");
}

/* JSON.GET key [$|.]: the whole document, as it was set. */
static int jsonGet(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    if (argc < 2 || argc > 3) return WrongArity(ctx);
    if (argc == 3 && !isRoot(argv[2])) return ReplyWithError(ctx, "ERR this test module reads the root ($) only");
    RedisModuleKey *key = OpenKey(ctx, argv[1], REDISMODULE_READ);
    if (KeyType(key) == REDISMODULE_KEYTYPE_EMPTY) {
        CloseKey(key);
        return ReplyWithNull(ctx);
    }
    if (ModuleTypeGetType(key) != jsonType) {
        CloseKey(key);
        return ReplyWithError(ctx, "WRONGTYPE Operation against a key holding the wrong kind of value");
    }
    Doc *d = ModuleTypeGetValue(key);
    ReplyWithStringBuffer(ctx, d->text, d->len);
    CloseKey(key);
    return REDISMODULE_OK;
}

static void *docLoad(RedisModuleIO *io, int encver) {
    (void)encver;
    size_t n;
    char *s = LoadStringBuffer(io, &n);
    Doc *d = newDoc(s, n);
    Free(s);
    return d;
}

static void docSave(RedisModuleIO *io, void *value) {
    Doc *d = value;
    SaveStringBuffer(io, d->text, d->len);
}

static void docRewrite(RedisModuleIO *aof, RedisModuleString *key, void *value) {
    (void)aof, (void)key, (void)value; /* the tests keep nothing on disk */
}

static size_t docMemUsage(const void *value) {
    const Doc *d = value;
    return sizeof(Doc) + d->len;
}

static void docFree(void *value) { Free(value); }

#define API(name) (GetApi("RedisModule_" #name, (void *)&name) == REDISMODULE_OK)

int RedisModule_OnLoad(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    (void)argv, (void)argc;
    GetApi = (int (*)(const char *, void *))((void **)ctx)[0];
    if (!(API(SetModuleAttribs) && API(CreateCommand) && API(CreateDataType) && API(OpenKey) && API(CloseKey) &&
          API(KeyType) && API(ModuleTypeGetType) && API(ModuleTypeGetValue) && API(ModuleTypeSetValue) &&
          API(StringPtrLen) && API(ReplyWithStringBuffer) && API(ReplyWithSimpleString) && API(ReplyWithNull) &&
          API(ReplyWithError) && API(WrongArity) && API(ReplicateVerbatim) && API(Alloc) && API(Free) &&
          API(SaveStringBuffer) && API(LoadStringBuffer)))
        return REDISMODULE_ERR;
    SetModuleAttribs(ctx, "ReJSON", 1, REDISMODULE_APIVER_1);
    TypeMethods tm = {
        .version = 1,
        .rdb_load = docLoad,
        .rdb_save = docSave,
        .aof_rewrite = docRewrite,
        .mem_usage = docMemUsage,
        .free = docFree,
    };
    jsonType = CreateDataType(ctx, "ReJSON-RL", 0, &tm);
    if (jsonType == NULL) return REDISMODULE_ERR;
    if (CreateCommand(ctx, "json.set", jsonSet, "write deny-oom", 1, 1, 1) != REDISMODULE_OK) return REDISMODULE_ERR;
    if (CreateCommand(ctx, "json.get", jsonGet, "readonly", 1, 1, 1) != REDISMODULE_OK) return REDISMODULE_ERR;
    return REDISMODULE_OK;
}

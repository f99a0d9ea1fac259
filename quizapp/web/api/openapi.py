"""The OpenAPI 3 description of API v1, served at /api/v1/openapi.json."""

from __future__ import annotations

from flask import current_app

from ...domain.regions import REGION_MAX
from . import bp


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema: dict, description: str = "OK") -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


RETRY_AFTER = {"description": "建议等待的秒数", "schema": {"type": "integer", "minimum": 0}}
ERROR_TEXT = {
    400: "请求有误（bad_json：JSON 无效或不是对象；bad_request：地址含控制字符等）",
    409: "phone_registered（登记：这个手机号已用另一个姓名登记，答复不透露登记的姓名和地区）、"
         "attempt_closed（答卷已交或已过截止时间）或 conflict（同时发生的操作）",
    413: "请求体超过 MAX_CONTENT_LENGTH（默认 16 MiB；分块传输的请求体同样计算）：payload_too_large",
    415: "请求体不是 JSON（Content-Type 须为 application/json，可带 charset 等参数，或 application/*+json）："
         "unsupported_media_type",
    429: "attempts_exhausted（答题次数用完）或 rate_limited（操作太频繁，附 Retry-After）",
    503: "数据库暂不可用或只读：service_unavailable，附 Retry-After",
}


def _errors(*statuses: int) -> dict:
    responses = {}
    for status in statuses:
        response = _json(_ref("Error"), ERROR_TEXT.get(status, "错误（见 error.code）"))
        if status in (429, 503):
            # A 429 for used-up attempts is not a throttle and has no Retry-After; a 503 always has one.
            response["headers"] = {"Retry-After": {**RETRY_AFTER, "required": status == 503}}
        responses[str(status)] = response
    return responses


# The formats the server issues: contest_def.SLUG_PATTERN, secrets.token_hex(16) for an attempt, and
# paper.new_token (10 of a–z 2–7) for a question or option id. Any other value is a 404 (400 with a
# control character).
SLUG_SCHEMA = {"type": "string", "pattern": "^[a-z0-9][a-z0-9-]{1,63}$", "minLength": 2, "maxLength": 64}
ATTEMPT_ID = {"type": "string", "pattern": "^[0-9a-f]{32}$", "minLength": 32, "maxLength": 32}
PAPER_ID = {"type": "string", "pattern": "^[a-z2-7]{10}$", "minLength": 10, "maxLength": 10}
SLUG = {"name": "slug", "in": "path", "required": True, "schema": SLUG_SCHEMA}
ATTEMPT = {"name": "attempt_id", "in": "path", "required": True, "schema": ATTEMPT_ID}
QUESTION = {"name": "question_id", "in": "path", "required": True, "schema": PAPER_ID}
BEARER = [{"bearer": []}]
CLIENT_ID = {"name": "X-Client-Id", "in": "header", "required": False,
             "schema": {"type": "string", "pattern": "^[A-Za-z0-9_-]{8,64}$"},
             "description": "可选：客户端在本机生成并长期保存的随机标识（如小程序 storage 中的随机串），"
                            "用于识别“同一设备短时间内登记多个手机号”。格式不符时忽略；不发送时不按设备计数。"
                            "服务器只保存其加密摘要；IP 地址与浏览器型号从不作为设备标识。"}

STR, INT, NUM, BOOL = {"type": "string"}, {"type": "integer"}, {"type": "number"}, {"type": "boolean"}
TIME = {"type": "string", "format": "date-time"}


def _obj(required: list[str], **props) -> dict:
    return {"type": "object", "required": required, "properties": props}


SCHEMAS = {
    "Error": _obj(["error"], error=_obj(["code", "message"], code=STR, message=STR,
                                        fields={"type": "object", "additionalProperties": STR},
                                        request_id={**STR, "description": "on a 5xx: the id to quote to support "
                                                    "(also in the X-Request-Id header)"})),
    "Contest": _obj(
        ["slug", "title", "status", "starts_at", "ends_at", "timezone", "round", "regions", "region_tree", "prizes",
         "consent_text"],
        slug=STR, title=STR, description=STR, status={"type": "string", "enum": ["upcoming", "open", "closed"]},
        starts_at=TIME, ends_at=TIME, timezone=STR,
        round=_obj(["question_count", "time_limit_seconds", "attempts_per_day", "max_attempts", "pass_score",
                    "max_score"], question_count=INT, time_limit_seconds=INT, attempts_per_day=INT,
                   max_attempts=INT, pass_score=NUM, max_score=NUM),
        regions={"type": "array", "items": STR, "description": "可选的地区；有下级时写作“盟市/旗县区”，如 通辽市/奈曼旗"},
        region_tree={"type": "array", "description": "同一组地区按盟市分组（扩展字段）；children 为空表示该盟市不再细分",
                     "items": _obj(["name", "children"], name=STR, children={"type": "array", "items": STR})},
        prizes={"type": "array", "items": _obj(["tier", "name", "count"], tier=INT, name=STR, count=INT)},
        consent_text=STR, retention_days={**INT, "description": "竞赛结束后保留姓名和手机号码的天数，届满后匿名化"}),
    "Registration": {**_obj(
        ["name", "phone", "region", "consent"],
        name={"type": "string", "minLength": 1, "maxLength": 32, "pattern": "\\S",
              "description": "1–32 个字符（去掉首尾空白后计数）；不得含控制字符或不可见字符"},
        phone={"type": "string", "pattern": "^(?:\\+86|0086|86)?1[3-9][0-9]{9}$",
               "description": "中国大陆手机号（11 位，1[3-9] 开头）；另可带空格、连字符、点、括号和全角数字，"
                              "服务器去掉后再判断"},
        region={"type": "string", "maxLength": 65,
                "description": "竞赛 regions 之一（有下级时写作“盟市/旗县区”）；竞赛没有地区列表时可省略或留空"},
        consent={"type": "boolean", "enum": [True], "description": "只有 JSON 的 true 算同意"},
        age_confirmed={"type": "boolean", "enum": [True],
                       "description": "可选：已满14周岁，或已取得监护人同意（个人信息保护法第三十一条）；false 时 422"},
        publish_consent={**BOOL, "default": False,
                         "description": "可选：同意在中奖公示中显示脱敏后的姓名和手机号；不同意时公示只有抽奖编号和地区"},
        channel={"type": "string", "nullable": True, "pattern": "^[A-Za-z0-9_-]{0,32}$", "maxLength": 32,
                 "description": "可选：渠道代码（字母、数字、下划线、连字符，至多 32 个）；空串或 null 表示没有"},
        code={"type": "string", "pattern": "^[0-9]{6}$",
              "description": "IDENTITY_VERIFICATION=sms 时必填：发到该手机号的 6 位短信验证码（POST …/sms-codes 获取），"
                             "用一次即失效；错误时 422，error.code 为 code_invalid、code_expired、code_exhausted 或 "
                             "code_missing，error.fields.code 说明原因"},
        wechat_ticket={"type": "string", "maxLength": 120,
                       "description": "IDENTITY_VERIFICATION=wechat 时必填：微信网页授权回到 /c/{slug}/wechat 后得到的凭据"
                                      "（30 分钟内有效）；缺少或失效时 403 wechat_required；一个微信账号只能对应一个参赛者"
                                      "（409 wechat_bound / wechat_mismatch）"}),
        "additionalProperties": True,
        "description": "其他字段被忽略。字段无效时 422，error.fields 逐项说明"},
    "Token": _obj(["participant_id", "token"], participant_id=INT,
                  token={"type": "string", "pattern": "^[A-Za-z0-9_-]{32}$",
                         "description": "参赛凭证：之后的请求以 Authorization: Bearer <token> 发送"}),
    "SmsCodeRequest": {**_obj(["phone"], phone={"type": "string", "description": "中国大陆手机号，规则同登记"}),
                       "additionalProperties": True},
    "SmsCodeSent": _obj(["expires_at", "resend_after_seconds"], expires_at=TIME, resend_after_seconds=INT),
    "Option": _obj(["id", "text"], id=STR, text=STR),
    "Question": _obj(["id", "type", "stem", "options"], id=STR,
                     type={"type": "string", "enum": ["single", "multiple", "judge"]}, stem=STR, points=NUM,
                     options={"type": "array", "items": {"$ref": "#/components/schemas/Option"}}),
    "Attempt": _obj(["attempt_id", "started_at", "deadline", "questions"], attempt_id=ATTEMPT_ID,
                    status={"type": "string", "enum": ["running"]},
                    started_at=TIME, deadline=TIME, server_time=TIME,
                    questions={"type": "array", "items": {"$ref": "#/components/schemas/Question"}},
                    answers={"type": "object", "additionalProperties": {"type": "array", "items": STR}}),
    "Answer": {**_obj(["option_ids"], option_ids={
        "type": "array", "items": PAPER_ID,
        "description": "所选选项编号（须是这道题的选项；重复的只算一次）；单选题与判断题至多一个不同的编号；"
                       "空数组清除已选"}),
        "additionalProperties": True, "description": "其他字段被忽略"},
    "Submit": {**_obj([], answers={
        "type": "object", "nullable": True, "additionalProperties": {"type": "array", "items": PAPER_ID},
        "description": "可选：{题目编号: [选项编号]}，与已保存的答案合并；键须是本答卷的题目编号，否则 422"}),
        "additionalProperties": True, "description": "其他字段被忽略；不带请求体（无 Content-Type）也可以交卷"},
    "Readiness": _obj(
        ["status", "checks"], status={"type": "string", "enum": ["ok", "unavailable"]},
        checks=_obj(["database", "redis"], database={"type": "string", "enum": ["ok", "read_only", "error"]},
                    redis={"type": "string", "enum": ["ok", "error", "not_configured"]})),
    "Result": _obj(
        ["attempt_id", "score", "max_score", "correct_count", "question_count", "duration_seconds", "eligible",
         "late", "results"],
        attempt_id=ATTEMPT_ID, status={"type": "string", "enum": ["finished"]}, pass_score=NUM,
        submitted_at=TIME, score=NUM, max_score=NUM, correct_count=INT, question_count=INT, duration_seconds=INT,
        eligible={**BOOL, "description": "本次答题达到合格分；是否参加抽奖以 me 的 eligible 为准"}, late=BOOL,
        results={"type": "array", "items": _obj(
            ["question_id", "correct", "chosen_option_ids", "correct_option_ids", "explanation", "source"],
            question_id=STR, correct=BOOL, chosen_option_ids={"type": "array", "items": STR},
            correct_option_ids={"type": "array", "items": STR}, explanation=STR, source=STR)}),
    "Me": _obj(["participant_id", "attempts", "best_score", "eligible", "entrant_code", "attempts_left_today"],
               participant_id=INT, best_score={"type": "number", "nullable": True},
               eligible={**BOOL, "description": "现在是否在抽奖名单中：竞赛时间内达到合格分、未被排除、"
                                               "没有待审核或经审核维持的作弊标记（抽奖提交承诺时用同一规则）"},
               entrant_code={"type": "string", "nullable": True}, attempts_left_today=INT, in_draw=BOOL,
               passed={**BOOL, "description": "在竞赛时间内有一次答题达到合格分（不论能否参加抽奖）"},
               draw_status={"type": "string", "enum": ["in_draw", "under_review", "not_in_draw", "not_passed"],
                            "description": "in_draw：在抽奖名单中（eligible 为 true，与抽奖时冻结名单的规则相同）；"
                                           "under_review：有待审核的作弊标记；not_in_draw：被排除或标记经审核维持；"
                                           "not_passed：未达到合格分"},
               attempts={"type": "array", "items": _obj(["attempt_id", "score", "submitted_at"], attempt_id=STR,
                                                        score={"type": "number", "nullable": True},
                                                        submitted_at={**TIME, "nullable": True})}),
    "Leaderboard": _obj(["entries"], entries={"type": "array", "items": _obj(
        ["rank", "name", "region", "score", "duration_seconds"], rank=INT, name=STR, region=STR, score=NUM,
        duration_seconds=INT)}),
    "Winners": _obj(
        ["commitment", "reveal", "winners"],
        commitment={**_obj(["entrants_sha256", "seed_sha256", "entropy_source"], entrants_sha256=STR,
                           seed_sha256=STR, entropy_source=STR, version=INT, entrant_count=INT,
                           committed_at=TIME, reason=STR,
                           prizes={"type": "array", "items": _obj(["tier", "name", "count"], tier=INT, name=STR,
                                                                  count=INT, reserve=INT)}), "nullable": True},
        reveal={**_obj(["seed", "public_entropy"], seed=STR, public_entropy=STR, revealed_at=TIME), "nullable": True},
        winners={"type": "array", "items": _obj(["tier", "prize", "name", "region", "entrant_code"],
                                                tier=INT, prize=STR, name=STR, phone=STR, region=STR,
                                                entrant_code=STR)},
        reserves={"type": "array", "description": "候补：中奖者放弃或公示期内联系不上时按顺位递补",
                  "items": _obj(["tier", "prize", "rank", "name", "region", "entrant_code"], tier=INT, prize=STR,
                                rank=INT, name=STR, phone=STR, region=STR, entrant_code=STR)},
        publicity={**_obj(["days", "starts_at", "ends_at", "objection_contact"], organizer=STR, days=INT,
                          starts_at=TIME, ends_at=TIME, objection_contact=STR), "nullable": True,
                   "description": "公示期与异议联系方式；公示发布后才有"},
        state={"type": "string", "enum": ["none", "committed", "drawn", "published"],
               "description": "drawn：已开奖、主办方核验后发布；此前 reveal 与 winners 为空"},
        algorithm=STR, contest=STR, draw_after=TIME,
        history={"type": "array", "items": {"type": "object"}},
        entrants={"type": "array", "items": STR,
                  "description": "仅 full=1 时返回：按编号排序的全部抽奖编号（验证程序需要）"}),
}


def _body(name: str, required: bool = True) -> dict:
    return {"required": required, "content": {"application/json": {"schema": _ref(name)}}}


READ = (400, 404, 503)  # every call with a path: a control character, an unknown id, the database away
PATHS = {
    "/api/v1/contests/{slug}": {"get": {
        "summary": "竞赛信息", "parameters": [SLUG],
        "responses": {"200": _json(_ref("Contest")), **_errors(*READ)}}},
    "/api/v1/contests/{slug}/participants": {"post": {
        "summary": "登记参赛（同一手机号再次登记返回 200 与新凭证）", "parameters": [SLUG, CLIENT_ID],
        "requestBody": _body("Registration"),
        "responses": {"201": _json(_ref("Token"), "已登记"), "200": _json(_ref("Token"), "已登记过（姓名相同）"),
                      **_errors(400, 403, 404, 409, 413, 415, 422, 429, 503)}}},
    "/api/v1/contests/{slug}/sms-codes": {"post": {
        "summary": "发送短信验证码（仅 IDENTITY_VERIFICATION=sms；否则 404）：6 位，5 分钟内有效，至多试 5 次；"
                   "同一手机号 60 秒一次、每小时 5 次（429 sms_throttled，附 Retry-After）；短信平台失败时 503 sms_failed",
        "parameters": [SLUG], "requestBody": _body("SmsCodeRequest"),
        "responses": {"202": _json(_ref("SmsCodeSent"), "已发送"), **_errors(400, 403, 404, 413, 415, 422, 429, 503)}}},
    "/api/v1/contests/{slug}/logout": {"post": {
        "summary": "退出登记：本凭证在服务器上立即作废（其他设备的凭证不受影响）", "parameters": [SLUG],
        "security": BEARER, "responses": {"204": {"description": "已作废"}, **_errors(400, 401, 404, 429, 503)}}},
    "/api/v1/contests/{slug}/attempts": {"post": {
        "summary": "开始答题（有进行中的答卷则返回它）", "parameters": [SLUG], "security": BEARER,
        "responses": {"201": _json(_ref("Attempt"), "新答卷"), "200": _json(_ref("Attempt"), "进行中的答卷"),
                      **_errors(400, 401, 403, 404, 409, 429, 503)}}},
    "/api/v1/contests/{slug}/me": {"get": {
        "summary": "我的成绩", "parameters": [SLUG], "security": BEARER,
        "responses": {"200": _json(_ref("Me")), **_errors(400, 401, 404, 429, 503)}},
        "delete": {
        "summary": "删除我的个人信息：抽奖名单未锁定时立即匿名化并退出抽奖（200），已锁定时登记申请、公示期满后执行（202）",
        "parameters": [SLUG], "security": BEARER,
        "responses": {"200": _json(_obj(["status"], status={"type": "string", "enum": ["deleted"]}), "已删除"),
                      "202": _json(_obj(["status"], status={"type": "string", "enum": ["pending"]}), "已登记申请"),
                      **_errors(400, 401, 404, 429, 503)}}},
    "/api/v1/contests/{slug}/leaderboard": {"get": {
        "summary": "排行榜（姓名已脱敏）",
        "parameters": [SLUG, {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1,
                                                                          "maximum": 200, "default": 20},
                              "description": "条数；超出范围按 1 或 200 计，不是正整数时按 20 计"},
                             {"name": "region", "in": "query", "required": False,
                              "schema": {"type": "string", "maxLength": REGION_MAX},
                              "description": "可选：只看一个地区，名次为该地区参赛者中的排名。须是竞赛 regions 之一"
                                             "（如 包头市、通辽市/奈曼旗），或 region_tree 中有下级的盟市名（含其全部旗县区）；"
                                             f"空串表示全部地区；其他值（或超过 {REGION_MAX} 个字符）422，error.fields.region 说明原因"}],
        "responses": {"200": _json(_ref("Leaderboard")), **_errors(*READ, 422, 429)}}},
    "/api/v1/contests/{slug}/winners": {"get": {
        "summary": "中奖公示（姓名、手机号已脱敏）；full=1 附带完整抽奖名单，可用 prize_draw.py 离线验证",
        "parameters": [SLUG, {"name": "full", "in": "query", "schema": {"type": "string", "enum": ["0", "1"]},
                              "description": "1（或 true、yes）附带 entrants；其他值视为 0"}],
        "responses": {"200": _json(_ref("Winners")), **_errors(*READ, 429)}}},
    "/api/v1/attempts/{attempt_id}": {"get": {
        "summary": "答卷（进行中：题目与已保存答案；已交卷：成绩与解析）", "parameters": [ATTEMPT], "security": BEARER,
        "responses": {"200": _json({"oneOf": [_ref("Attempt"), _ref("Result")]}),
                      **_errors(400, 401, 404, 429, 503)}}},
    "/api/v1/attempts/{attempt_id}/answers/{question_id}": {"put": {
        "summary": "保存一道题的答案", "parameters": [ATTEMPT, QUESTION], "security": BEARER,
        "requestBody": _body("Answer"),
        "responses": {"204": {"description": "已保存"}, **_errors(400, 401, 404, 409, 413, 415, 422, 429, 503)}}},
    "/api/v1/attempts/{attempt_id}/submit": {"post": {
        "summary": "交卷（幂等）", "parameters": [ATTEMPT], "security": BEARER,
        "requestBody": _body("Submit", required=False),
        "responses": {"200": _json(_ref("Result")), **_errors(400, 401, 404, 413, 415, 422, 429, 503)}}},
    "/api/v1/openapi.json": {"get": {"summary": "本文档", "responses": {"200": {"description": "OpenAPI 3"}}}},
    "/readyz": {"get": {
        "summary": "就绪探针（负载均衡用）：数据库可写、已配置的 Redis 可达时 200，否则 503",
        "responses": {"200": _json(_ref("Readiness"), "可以接待参赛者"),
                      "503": {**_json(_ref("Readiness"), "暂不可用：checks 指出哪一项失败"),
                              "headers": {"Retry-After": {**RETRY_AFTER, "required": True}}}}}},
}


def _description(max_content_length: int | None) -> str:
    limit = f"{max_content_length} 字节" if max_content_length else "MAX_CONTENT_LENGTH"
    return ("请求体只收 JSON（application/json，可带 charset 等参数，或 application/*+json），否则 415；"
            f"请求体至多 {limit}（本服务器的 MAX_CONTENT_LENGTH；分块传输同样计算），否则 413。"
            "未列出的请求字段被忽略。接口的错误都是 Error 结构：4xx，数据库不可用时 503。")


def document(max_content_length: int | None = None) -> dict:
    """The whole OpenAPI document; given the server's body limit, its description names it."""
    return {
        "openapi": "3.0.3",
        "info": {"title": "药品安全网络知识竞赛 参赛接口", "version": "1",
                 "description": _description(max_content_length)},
        "paths": PATHS,
        "components": {"schemas": SCHEMAS,
                       "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer",
                                                      "description": "登记参赛时得到的 token"}}},
    }


@bp.get("/openapi.json")
def openapi_json():
    """Serve the OpenAPI document."""
    return document(current_app.config.get("MAX_CONTENT_LENGTH"))

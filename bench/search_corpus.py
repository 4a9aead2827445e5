"""A seeded corpus of workplace chat for the search bench (bench/search.py): half Chinese,
half English, with names, order numbers, file names and links, lengths as people type them
(most messages short, a few long). The same seed gives the same corpus.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass

# Words and phrases of office chat, roughly most common first (drawn with a Zipf-like law).
ZH_WORDS = (
    "我们 你 他 这个 那个 一下 今天 明天 昨天 下午 上午 晚上 现在 已经 还是 可以 需要 没有 问题 "
    "好的 收到 谢谢 麻烦 看看 确认 一起 准备 开会 会议 会议室 项目 客户 方案 文档 需求 测试 上线 "
    "部署 发布 版本 服务器 数据库 接口 进度 计划 预算 报销 审批 合同 订单 发票 付款 采购 供应商 "
    "财务 人事 招聘 面试 培训 考勤 请假 出差 加班 周报 月报 总结 汇报 领导 老板 同事 部门 团队 "
    "经理 主管 负责 安排 处理 解决 跟进 反馈 沟通 协调 讨论 决定 修改 更新 提交 检查 评审 优化 "
    "性能 用户 产品 设计 开发 运维 市场 销售 运营 数据 报表 分析 统计 指标 目标 结果 效果 "
    "时间 地点 邮件 电话 微信 群里 文件 附件 截图 链接 密码 账号 权限 系统 平台 后台 页面 "
    "功能 模块 故障 告警 日志 备份 恢复 迁移 升级 配置 网络 安全 漏洞 补丁 证书 域名 "
    "北京 上海 深圳 杭州 广州 成都 公司 办公室 食堂 午饭 咖啡 周末 假期 春节 国庆 年会 "
    "快递 会员 活动 促销 价格 库存 物流 发货 退货 售后 投诉 满意 合作 签约 续费 "
    "马上 稍等 不好意思 辛苦了 没关系 当然 应该 可能 一定 尽快 立刻 随时 大概 差不多 "
    "重要 紧急 顺利 成功 失败 延期 取消 完成 开始 结束 继续 暂停 同意 拒绝 通过"
).split()
ZH_NAMES = (
    "张伟 王芳 李娜 刘洋 陈静 杨帆 赵磊 黄敏 周杰 吴刚 徐丽 孙涛 胡军 朱琳 高翔 林峰 "
    "何欢 郭强 马超 罗斌 梁晨 宋佳 郑爽 谢霆 韩梅 唐宁 冯远 于洋 董洁 萧然"
).split()
ZH_GLUE = "的 了 吗 吧 呢 在 是 和 把 给 跟 都 也 就 还 要 会 对 从 到".split()
ZH_PUNCT = [*"，。？！、", "", "", ""]

EN_WORDS = (
    "the to and a of in is for on that it with this we be you are please can will at "
    "have not as by from our team meeting review deploy deployment release build test tests "
    "server database api client customer project plan budget report weekly monthly update "
    "issue bug fix patch merge branch commit pipeline staging production rollback hotfix "
    "schedule tomorrow today yesterday morning afternoon tonight week next last call sync "
    "design spec document draft feedback approve approved approval invoice order payment "
    "contract vendor purchase finance hr hiring interview onboarding training leave travel "
    "expense receipt quarter q1 q2 q3 q4 target goal metric dashboard analytics data query "
    "latency performance outage incident alert monitor logs backup restore migration upgrade "
    "config network security vulnerability certificate domain password account access role "
    "permission login signup page feature module service queue cache index search results "
    "sales marketing campaign launch pricing discount inventory shipping delivery refund "
    "support ticket escalation priority urgent blocked done finished started pending waiting "
    "thanks ok sure sounds good great awesome sorry let me know check confirm asap eod "
    "office lunch coffee weekend holiday conference room calendar invite slides demo"
).split()
EN_NAMES = (
    "Alice Bob Carol David Emma Frank Grace Henry Irene Jack Kate Liam Mia Noah Olivia "
    "Peter Quinn Rachel Sam Tina Uma Victor Wendy Xavier Yara Zack"
).split()
FILE_STEMS = (
    "季度报告 合同草案 会议纪要 需求文档 预算表 design-spec roadmap invoice budget "
    "release-notes 项目计划 架构图 slides report"
).split()
FILE_EXTS = ".pdf .docx .xlsx .pptx .png .zip .txt".split()


@dataclass(frozen=True, slots=True)
class Message:
    type: str  # text, file, image
    body: dict[str, object]
    chinese: bool


def _zipf(rng: random.Random, words: tuple[str, ...] | list[str], s: float = 1.1) -> str:
    # Inverse-power draw over ranks: rank r has weight 1/r^s.
    n = len(words)
    r = int(n ** rng.random() ** (1 / s)) - 1
    return words[min(max(r, 0), n - 1)]


def order_number(rng: random.Random) -> str:
    return f"SO-{rng.choice((2024, 2025, 2026))}-{rng.randrange(10_000):04d}"


def _length(rng: random.Random, mean: int) -> int:
    # Mostly short, sometimes long: a log-normal-ish draw.
    return max(1, min(int(rng.lognormvariate(0, 0.8) * mean), mean * 12))


def chinese_text(rng: random.Random) -> str:
    parts: list[str] = []
    for _ in range(_length(rng, 6)):
        roll = rng.random()
        if roll < 0.06:
            parts.append(rng.choice(ZH_NAMES))
        elif roll < 0.08:
            parts.append(rng.choice(EN_WORDS[:120]))
        elif roll < 0.085:
            parts.append(order_number(rng))
        elif roll < 0.09:
            parts.append(str(rng.randrange(1, 1000)))
        else:
            parts.append(_zipf(rng, ZH_WORDS))
        if rng.random() < 0.3:
            parts.append(rng.choice(ZH_GLUE))
        if rng.random() < 0.15:
            parts.append(rng.choice(ZH_PUNCT))
    if rng.random() < 0.03:
        parts.append(rng.choice(("👍", "🎉", "😂", "🙏", "🚀")))
    return "".join(parts)


def english_text(rng: random.Random) -> str:
    words: list[str] = []
    for _ in range(_length(rng, 9)):
        roll = rng.random()
        if roll < 0.05:
            words.append(rng.choice(EN_NAMES))
        elif roll < 0.055:
            words.append(order_number(rng))
        elif roll < 0.06:
            words.append(str(rng.randrange(1, 10_000)))
        elif roll < 0.063:
            words.append(f"https://git.example.com/{_zipf(rng, EN_WORDS)}/{rng.randrange(999)}")
        else:
            words.append(_zipf(rng, EN_WORDS))
    if rng.random() < 0.03:
        words.append(rng.choice(("👍", "🎉", "😂", "🙏", "🚀")))
    text = " ".join(words)
    return text[0].upper() + text[1:] + rng.choice((".", "", "?", "!"))


def message(rng: random.Random) -> Message:
    chinese = rng.random() < 0.5
    roll = rng.random()
    if roll < 0.03:
        name = rng.choice(FILE_STEMS) + f"-{rng.randrange(100)}" + rng.choice(FILE_EXTS)
        return Message(
            "file",
            {
                "file_id": "f" + str(rng.randrange(10**9)),
                "name": name,
                "size": rng.randrange(1, 10**7),
            },
            chinese,
        )
    if roll < 0.05:
        return Message(
            "image",
            {
                "file_id": "i" + str(rng.randrange(10**9)),
                "width": 800,
                "height": 600,
                "name": f"IMG_{rng.randrange(10**4):04d}.jpg",
            },
            chinese,
        )
    text = chinese_text(rng) if chinese else english_text(rng)
    return Message("text", {"text": text}, chinese)


def messages(seed: int, count: int) -> Iterator[Message]:
    rng = random.Random(seed)
    for _ in range(count):
        yield message(rng)


# Queries people type: two-character words, single characters, names, phrases, codes,
# English words and prefixes, mixed. Each is searched by the bench.
QUERIES = (
    "会议",
    "报销",
    "上线",
    "审批",
    "服务器",
    "会议室",
    "项目进度",
    "会",
    "的",
    "张伟",
    "王芳",
    "合同",
    "发票",
    "数据库",
    "部署",
    "周报",
    "客户",
    "故障",
    "春节",
    "订单",
    "deploy",
    "review",
    "invoice",
    "rollback",
    "the",
    "meeting",
    "Alice",
    "budget",
    "q3 report",
    "staging server",
    "approval",
    "cert",
    "latency",
    "SO-2024",
    "SO-2025-0117",
    "会议 review",
    "上线 deploy",
    "👍",
    "hotfix 故障",
)

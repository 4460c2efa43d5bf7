export { classify } from './classify/classify.js'

// Public API of @lmkit/chat-template.
export {
  type Conversation,
  IM_END,
  IM_SEP,
  IM_START,
  type Message,
  type Role,
  renderText,
} from './markers.ts';

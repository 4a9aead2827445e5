/** Where `<Avatar user>` finds users' pictures: the workspace provides its AvatarImages. */
import { createContext } from 'react';
import type { AvatarImages } from '../viewmodels/AvatarImages';

export const AvatarContext = createContext<AvatarImages | null>(null);

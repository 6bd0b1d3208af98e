import { describeIf } from '../describe-if';

describeIf(
  'needs the moon',
  () => false,
  'no moon here (look up)',
  () => {
    it('would look at the moon', () => {
      expect(true).toBe(true);
    });
  },
);

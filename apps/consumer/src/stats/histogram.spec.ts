import { aggregateRatings } from '@reeltime/contracts';
import { aggregateOf, histogramOf } from './histogram';

describe('histogram', () => {
  it('gives the same count, sum, min and max as aggregating the ratings', () => {
    const ratings = [3, 7, 7, 10, 1, 5];
    expect(aggregateOf(histogramOf(ratings))).toEqual(aggregateRatings(ratings));
  });

  it('has null min, max for an empty hour', () => {
    expect(aggregateOf(histogramOf([]))).toMatchObject({ count: 0, sum: 0, min: null, max: null });
  });
});

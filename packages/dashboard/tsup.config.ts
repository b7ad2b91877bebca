import { packageConfig } from '../../tsup.config';

export default packageConfig();

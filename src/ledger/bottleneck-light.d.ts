// Bottleneck's light build (no clustering), the one @octokit/plugin-throttling uses; the package
// types only its main entry, which is the same class.
declare module 'bottleneck/light.js' {
  import Bottleneck from 'bottleneck'
  export default Bottleneck
}
